use std::net::IpAddr;
use std::sync::Arc;

use domain::{Password, User, UserId};

use crate::ports::{
    AuditEntry, AuditEvent, Clock, FlowKind, NewPassword, PasswordChangeStore, PasswordHasher, RateLimiter,
    UserRepository,
};
use crate::services::flow_tokens::current_user;
use crate::{AppError, Field, FieldErrors, FlowTokens, LoginPolicy, PasswordGuard, Problem};

pub struct ResetPasswordRequest {
    /// The id in the path; it must be the one step 3 answered.
    pub user_id: i64,
    pub password: String,
    pub password2: String,
    pub access_token: String,
    pub client_ip: IpAddr,
}

/// Find password, step 4: the token of step 3 sets a new password. Every
/// session and every earlier token of the user stops working, the login lock
/// of the account is lifted, and the reset is audited.
pub struct ResetPassword {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<FlowTokens>,
    passwords: Arc<dyn PasswordChangeStore>,
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    policy: LoginPolicy,
}

impl ResetPassword {
    pub fn new(
        users: Arc<dyn UserRepository>,
        guard: PasswordGuard,
        tokens: Arc<FlowTokens>,
        passwords: Arc<dyn PasswordChangeStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let PasswordGuard { hasher, limiter, policy } = guard;
        Self { users, hasher, tokens, passwords, limiter, clock, policy }
    }

    pub async fn execute(&self, request: ResetPasswordRequest) -> Result<UserId, AppError> {
        let mut errors = FieldErrors::default();
        let password = errors.check(Field::Password, Password::parse(&request.password), Problem::Password);
        if password.is_some() && request.password != request.password2 {
            errors.push(Field::Password2, Problem::PasswordsDiffer);
        }
        let Some(password) = password else { return Err(errors.into_error()) };
        errors.into_result()?;

        let (field, problem) = (Field::AccessToken, Problem::StepTokenInvalid);
        let claims = self.tokens.inspect(&request.access_token, FlowKind::ResetPassword, field, problem)?;
        let user = current_user(self.users.as_ref(), &claims, field, problem).await?;
        if user.id != UserId(request.user_id) {
            return Err(AppError::field(field, problem));
        }
        let claim = self.tokens.claim(&claims, self.clock.now(), field, problem).await?;
        let reset = self.reset(&user, password, request.client_ip).await;
        self.tokens.settle(claim, reset).await
    }

    /// The reset itself; a failure here gives the token back (a reset that
    /// did happen bumped the token version, which voids the token anyway).
    async fn reset(&self, account: &User, password: Password, client_ip: IpAddr) -> Result<UserId, AppError> {
        let user = account.id;
        let hash = self.hasher.hash(password.expose()).await?;
        let audit = AuditEntry::new(Some(user), AuditEvent::PasswordReset, client_ip, self.clock.now());
        // Ends every session and bumps the token version: access tokens and
        // unused step tokens die with the old password.
        if !self.passwords.replace_password(&NewPassword { user, hash, audit }).await? {
            return Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid));
        }
        // The lock is lifted for the account and for each of its names.
        self.limiter.reset(&self.policy.account_limit_for_user(user).key).await?;
        for name in self.policy.name_limits_of(account) {
            self.limiter.reset(&name.key).await?;
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;
    use domain::PasswordError;

    use super::*;
    use crate::ports::{
        FlowClaims, MockClock, MockFlowTokenSigner, MockPasswordChangeStore, MockPasswordHasher, MockRateLimiter,
        MockUserRepository, RateDecision, RepoError,
    };
    use crate::services::flow_tokens::tests::claims;
    use crate::use_cases::log_in::tests::stored_user;

    #[derive(Default)]
    struct Ports {
        users: MockUserRepository,
        hasher: MockPasswordHasher,
        signer: MockFlowTokenSigner,
        uses: MockRateLimiter,
        passwords: MockPasswordChangeStore,
        limiter: MockRateLimiter,
    }

    impl Ports {
        fn token(mut self, answer: FlowClaims) -> Self {
            self.signer
                .expect_verify()
                .withf(|_, kind| *kind == FlowKind::ResetPassword)
                .returning(move |_, _| Ok(answer.clone()));
            self
        }

        fn user_version(mut self, version: i64) -> Self {
            self.users
                .expect_find_by_id()
                .returning(move |_| Ok(Some(domain::User { token_version: version, ..stored_user() })));
            self
        }

        fn use_case(self) -> ResetPassword {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            ResetPassword::new(
                Arc::new(self.users),
                PasswordGuard {
                    hasher: Arc::new(self.hasher),
                    limiter: Arc::new(self.limiter),
                    policy: LoginPolicy::default(),
                },
                Arc::new(FlowTokens::new(Arc::new(self.signer), Arc::new(self.uses))),
                Arc::new(self.passwords),
                Arc::new(clock),
            )
        }
    }

    fn request(user_id: i64) -> ResetPasswordRequest {
        ResetPasswordRequest {
            user_id,
            password: "new-password".into(),
            password2: "new-password".into(),
            access_token: "step-3-token".into(),
            client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
        }
    }

    fn invalid_token() -> Result<UserId, AppError> {
        Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid))
    }

    #[tokio::test]
    async fn a_current_token_sets_the_password_ends_every_session_lifts_the_lock_and_is_audited() {
        let mut ports = Ports::default().token(claims(FlowKind::ResetPassword, "1", None, 0)).user_version(0);
        ports.uses.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports.hasher.expect_hash().withf(|p| p == "new-password").returning(|_| Ok("$argon2id$new".into()));
        ports
            .passwords
            .expect_replace_password()
            .withf(|change| {
                change.user == UserId(1)
                    && change.hash == "$argon2id$new"
                    && change.audit.event == AuditEvent::PasswordReset
                    && change.audit.user_id == Some(UserId(1))
            })
            .times(1)
            .returning(|_| Ok(true));
        ports.limiter.expect_reset().withf(|key| key == "login:user:1").times(1).returning(|_| Ok(()));
        for name in ["login:name:alice", "login:name:13800138000"] {
            ports.limiter.expect_reset().withf(move |key| key == name).times(1).returning(|_| Ok(()));
        }
        assert_eq!(ports.use_case().execute(request(1)).await, Ok(UserId(1)));
    }

    #[tokio::test]
    async fn a_database_outage_while_storing_leaves_the_lock_alone() {
        let mut ports = Ports::default().token(claims(FlowKind::ResetPassword, "1", None, 0)).user_version(0);
        ports.uses.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.hasher.expect_hash().returning(|_| Ok("$argon2id$new".into()));
        ports.passwords.expect_replace_password().returning(|_| Err(RepoError::Unavailable("down".into())));
        // The token is given back, so the person can retry once the database is back.
        ports.uses.expect_release().times(1).returning(|_| Ok(()));
        // No limiter expectation: lifting the lock after a failed reset fails the test.
        let got = ports.use_case().execute(request(1)).await;
        assert_eq!(got, Err(AppError::Unavailable(crate::Backend::Database)));
    }

    #[tokio::test]
    async fn an_account_deleted_meanwhile_is_a_void_token_and_keeps_its_lock() {
        let mut ports = Ports::default().token(claims(FlowKind::ResetPassword, "1", None, 0)).user_version(0);
        ports.uses.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.hasher.expect_hash().returning(|_| Ok("$argon2id$new".into()));
        ports.passwords.expect_replace_password().times(1).returning(|_| Ok(false));
        ports.uses.expect_release().returning(|_| Ok(()));
        assert_eq!(ports.use_case().execute(request(1)).await, invalid_token());
    }

    #[tokio::test]
    async fn a_token_for_another_user_id_is_refused() {
        let got = Ports::default()
            .token(claims(FlowKind::ResetPassword, "1", None, 0))
            .user_version(0)
            .use_case()
            .execute(request(2))
            .await;
        assert_eq!(got, invalid_token());
    }

    #[tokio::test]
    async fn a_token_from_before_an_earlier_reset_is_void() {
        let got = Ports::default()
            .token(claims(FlowKind::ResetPassword, "1", None, 0))
            .user_version(1)
            .use_case()
            .execute(request(1))
            .await;
        assert_eq!(got, invalid_token());
    }

    #[tokio::test]
    async fn a_spent_token_changes_nothing() {
        let mut ports = Ports::default().token(claims(FlowKind::ResetPassword, "1", None, 0)).user_version(0);
        ports
            .uses
            .expect_acquire()
            .returning(|_| Ok(RateDecision::Limited { retry_after: std::time::Duration::from_secs(9) }));
        assert_eq!(ports.use_case().execute(request(1)).await, invalid_token());
    }

    #[tokio::test]
    async fn bad_passwords_are_refused_before_the_token_is_looked_at() {
        let got = Ports::default()
            .use_case()
            .execute(ResetPasswordRequest { password: "short".into(), password2: "short".into(), ..request(1) })
            .await;
        assert_eq!(got, Err(AppError::field(Field::Password, Problem::Password(PasswordError::Length))));
        let got = Ports::default()
            .use_case()
            .execute(ResetPasswordRequest { password2: "other-password".into(), ..request(1) })
            .await;
        assert_eq!(got, Err(AppError::field(Field::Password2, Problem::PasswordsDiffer)));
    }

    #[tokio::test]
    async fn a_step_that_fails_gives_the_token_back() {
        let mut ports = Ports::default().token(claims(FlowKind::ResetPassword, "1", None, 0)).user_version(0);
        ports.uses.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports.hasher.expect_hash().returning(|_| Err(crate::ports::HashError::Failed("pool gone".into())));
        ports
            .uses
            .expect_release()
            .withf(|limits| limits.len() == 1 && limits[0].key == "flow:used:jti-1")
            .times(1)
            .returning(|_| Ok(()));
        let got = ports.use_case().execute(request(1)).await;
        assert!(got.is_err(), "{got:?}");
    }
}
