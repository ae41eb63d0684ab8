use std::net::IpAddr;
use std::sync::Arc;

use domain::{Password, UserId};

use crate::ports::{
    AuditEntry, AuditEvent, Clock, NewPassword, PasswordChangeStore, PasswordHasher, RateLimiter, UserRepository,
};
use crate::services::failure_counters::{Verdict, check_within};
use crate::{AppError, AuthFailure, Field, FieldErrors, LoginPolicy, PasswordGuard, Problem};

pub struct ChangePasswordRequest {
    /// The signed-in user.
    pub actor: UserId,
    /// The account named in the path; must be the actor's own.
    pub target: UserId,
    pub old_password: String,
    pub password: String,
    pub password2: String,
    pub client_ip: IpAddr,
}

/// A signed-in user changes their own password with the current one. Every
/// session of the user ends (token version bumped, refresh families revoked),
/// so a thief holding a token loses it too. Wrong current passwords count
/// toward the same lock as failed logins.
pub struct ChangePassword {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    passwords: Arc<dyn PasswordChangeStore>,
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    policy: LoginPolicy,
}

impl ChangePassword {
    pub fn new(
        users: Arc<dyn UserRepository>,
        guard: PasswordGuard,
        passwords: Arc<dyn PasswordChangeStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let PasswordGuard { hasher, limiter, policy } = guard;
        Self { users, hasher, passwords, limiter, clock, policy }
    }

    pub async fn execute(&self, request: ChangePasswordRequest) -> Result<(), AppError> {
        if request.actor != request.target {
            return Err(AppError::Forbidden);
        }
        let mut errors = FieldErrors::default();
        if request.old_password.is_empty() {
            errors.push(Field::OldPassword, Problem::Required);
        }
        let password = errors.check(Field::Password, Password::parse(&request.password), Problem::Password);
        if password.is_some() && request.password != request.password2 {
            errors.push(Field::Password2, Problem::PasswordsDiffer);
        }
        let Some(password) = password else { return Err(errors.into_error()) };
        errors.into_result()?;

        let user =
            self.users.find_by_id(request.actor).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        let limits = self.policy.account_limits(user.id);
        let verify = async { Ok(self.hasher.verify(&request.old_password, user.password_hash.clone()).await?) };
        match check_within(self.limiter.as_ref(), &limits, verify).await? {
            // An account with no silent counter is never withheld, only refused.
            Verdict::Locked { retry_after } | Verdict::Withheld { retry_after } => {
                return Err(AppError::RateLimited { retry_after });
            }
            Verdict::Wrong => return Err(AppError::field(Field::OldPassword, Problem::WrongPassword)),
            Verdict::Right => {}
        }
        let hash = self.hasher.hash(password.expose()).await?;
        let audit = AuditEntry::new(Some(user.id), AuditEvent::PasswordChanged, request.client_ip, self.clock.now());
        if !self.passwords.replace_password(&NewPassword { user: user.id, hash, audit }).await? {
            return Err(AppError::Unauthenticated(AuthFailure::Revoked));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use chrono::Utc;

    use super::*;
    use crate::ports::{
        HashError, MockClock, MockPasswordChangeStore, MockPasswordHasher, MockRateLimiter, MockUserRepository,
        Reservation, Settlement,
    };
    use crate::use_cases::log_in::tests::stored_user;

    #[derive(Default)]
    struct Ports {
        users: MockUserRepository,
        hasher: MockPasswordHasher,
        passwords: MockPasswordChangeStore,
        limiter: MockRateLimiter,
    }

    impl Ports {
        fn use_case(self) -> ChangePassword {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            ChangePassword::new(
                Arc::new(self.users),
                PasswordGuard {
                    hasher: Arc::new(self.hasher),
                    limiter: Arc::new(self.limiter),
                    policy: LoginPolicy::default(),
                },
                Arc::new(self.passwords),
                Arc::new(clock),
            )
        }

        /// The try takes its slot in the account's failure counter; a right
        /// old password gives it back.
        fn unlocked_user(mut self, old_password_right: bool) -> Self {
            self.limiter
                .expect_reserve()
                .withf(|limits| {
                    limits.open.len() == 1 && limits.open[0].key == "login:user:1" && limits.silent.is_empty()
                })
                .times(1)
                .returning(|_| Ok(Reservation::Taken));
            self.users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
            self.hasher.expect_verify().times(1).returning(move |_, _| Ok(old_password_right));
            let settlement = if old_password_right { Settlement::Refunded } else { Settlement::Charged };
            self.limiter.expect_settle().withf(move |_, s| *s == settlement).times(1).returning(|_, _| Ok(()));
            self
        }
    }

    fn request() -> ChangePasswordRequest {
        ChangePasswordRequest {
            actor: UserId(1),
            target: UserId(1),
            old_password: "old-password".into(),
            password: "new-password".into(),
            password2: "new-password".into(),
            client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }
    }

    #[tokio::test]
    async fn the_right_old_password_sets_the_new_one_and_ends_every_session() {
        let mut ports = Ports::default().unlocked_user(true);
        ports.hasher.expect_hash().withf(|p| p == "new-password").returning(|_| Ok("$argon2id$new".into()));
        ports
            .passwords
            .expect_replace_password()
            .withf(|change| change.hash == "$argon2id$new" && change.audit.event == AuditEvent::PasswordChanged)
            .times(1)
            .returning(|_| Ok(true));
        assert_eq!(ports.use_case().execute(request()).await, Ok(()));
    }

    #[tokio::test]
    async fn an_account_deleted_meanwhile_or_a_database_outage_stores_nothing() {
        let answers = [
            (Ok(false), AppError::Unauthenticated(AuthFailure::Revoked)),
            (Err(crate::ports::RepoError::Unavailable("down".into())), AppError::Unavailable(crate::Backend::Database)),
        ];
        for (answer, expected) in answers {
            let mut ports = Ports::default().unlocked_user(true);
            ports.hasher.expect_hash().returning(|_| Ok("$argon2id$new".into()));
            ports.passwords.expect_replace_password().times(1).returning(move |_| answer.clone());
            assert_eq!(ports.use_case().execute(request()).await, Err(expected));
        }
    }

    #[tokio::test]
    async fn a_wrong_old_password_is_refused_and_keeps_its_slot() {
        // The limiter mock has no release expectation: giving the slot back would panic.
        let ports = Ports::default().unlocked_user(false);
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got, Err(AppError::field(Field::OldPassword, Problem::WrongPassword)));
    }

    #[tokio::test]
    async fn someone_else_s_account_is_forbidden() {
        let got = Ports::default().use_case().execute(ChangePasswordRequest { target: UserId(2), ..request() }).await;
        assert_eq!(got, Err(AppError::Forbidden));
    }

    #[tokio::test]
    async fn the_new_password_follows_the_policy_and_must_be_repeated() {
        let got = Ports::default()
            .use_case()
            .execute(ChangePasswordRequest { password: "short".into(), old_password: String::new(), ..request() })
            .await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(errors[0].field, Field::OldPassword);
        assert_eq!(errors[1].field, Field::Password);
        let got = Ports::default()
            .use_case()
            .execute(ChangePasswordRequest { password2: "other-pw-1".into(), ..request() })
            .await;
        assert_eq!(got, Err(AppError::field(Field::Password2, Problem::PasswordsDiffer)));
    }

    #[tokio::test]
    async fn a_locked_account_is_refused_with_the_wait_before_any_hashing() {
        // The hasher mock has no expectation: hashing would panic.
        let mut ports = Ports::default();
        let wait = Duration::from_secs(300);
        ports.users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        ports.limiter.expect_reserve().returning(move |_| Ok(Reservation::Refused { retry_after: wait }));
        assert_eq!(ports.use_case().execute(request()).await, Err(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_check_that_cannot_finish_gives_the_slot_back() {
        let mut ports = Ports::default();
        ports.users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        ports.limiter.expect_reserve().times(1).returning(|_| Ok(Reservation::Taken));
        ports.hasher.expect_verify().returning(|_, _| Err(HashError::Failed("pool closed".into())));
        ports
            .limiter
            .expect_settle()
            .withf(|l, s| l.open[0].key == "login:user:1" && *s == Settlement::Refunded)
            .times(1)
            .returning(|_, _| Ok(()));
        assert!(matches!(ports.use_case().execute(request()).await, Err(AppError::Internal(_))));
    }
}
