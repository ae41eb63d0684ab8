use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{User, VerificationCode};

use crate::ports::{
    AccessClaims, AccessTokenRevocations, AccountDeletions, AuditEntry, AuditEvent, AuditLog, Channel, Clock,
    CodePurpose, PasswordHasher, RateLimiter, RefreshTokenStore, UserRepository,
};
use crate::services::failure_counters::{Verdict, check_within};
use crate::{
    AppError, AuthFailure, CodeRecipient, Field, FieldError, LoginPolicy, OneTimeCodes, PasswordGuard, Problem,
};

/// How recent the sign-in of an account with neither password nor mobile must
/// be: its token is the only proof left that the person is at hand.
pub const RECENT_SIGN_IN: Duration = Duration::from_secs(5 * 60);

/// Longest password looked at; longer input cannot match and only costs hashing time.
const MAX_PASSWORD_BYTES: usize = 1024;

pub struct RequestAccountDeletionRequest {
    /// The signed-in user's verified token.
    pub claims: AccessClaims,
    pub password: Option<String>,
    pub sms_code: Option<String>,
    pub client_ip: IpAddr,
}

/// The signed-in user asks for their account to be deleted (PIPL art. 47),
/// confirming with what their account has: the password; else a registration
/// code sent to its mobile; else (a WeChat-only account) a token from a sign-in
/// within [`RECENT_SIGN_IN`]. The erasure is scheduled after the cooling-off
/// (an earlier request's schedule stands), every session ends (token version
/// bumped, refresh families revoked), and the request is audited. A sign-in
/// within the cooling-off restores the account ([`crate::LoginRecorder`]);
/// after it the retention job erases it.
///
/// Wrong passwords count toward the same lock as failed logins and password
/// changes, and so do wrong codes (each code also burns after its own tries).
pub struct RequestAccountDeletion {
    users: Arc<dyn UserRepository>,
    deletions: Arc<dyn AccountDeletions>,
    hasher: Arc<dyn PasswordHasher>,
    limiter: Arc<dyn RateLimiter>,
    policy: LoginPolicy,
    codes: Arc<OneTimeCodes>,
    refresh: Arc<dyn RefreshTokenStore>,
    revocations: Arc<dyn AccessTokenRevocations>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    cooling_off: Duration,
}

/// What ends every session of the user: the stores sign-out everywhere uses.
pub struct SessionStores {
    pub refresh: Arc<dyn RefreshTokenStore>,
    pub revocations: Arc<dyn AccessTokenRevocations>,
}

impl RequestAccountDeletion {
    #[allow(
        clippy::too_many_arguments,
        reason = "each port is one concern of the request; grouping them would hide which"
    )]
    pub fn new(
        users: Arc<dyn UserRepository>,
        deletions: Arc<dyn AccountDeletions>,
        guard: PasswordGuard,
        codes: Arc<OneTimeCodes>,
        sessions: SessionStores,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
        cooling_off: Duration,
    ) -> Self {
        let PasswordGuard { hasher, limiter, policy } = guard;
        let SessionStores { refresh, revocations } = sessions;
        Self { users, deletions, hasher, limiter, policy, codes, refresh, revocations, audit, clock, cooling_off }
    }

    /// Answers when the account will be erased.
    pub async fn execute(&self, request: RequestAccountDeletionRequest) -> Result<DateTime<Utc>, AppError> {
        let user = self
            .users
            .find_by_id(request.claims.user_id)
            .await?
            .ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        self.confirm(&user, &request).await?;

        let now = self.clock.now();
        let delete_after = TimeDelta::from_std(self.cooling_off)
            .ok()
            .and_then(|cooling_off| now.checked_add_signed(cooling_off))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let delete_after = self
            .deletions
            .schedule(user.id, delete_after)
            .await?
            .ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        self.refresh.revoke_user(user.id).await?;
        self.revocations.revoke_all(user.id).await?;
        let entry = AuditEntry::new(Some(user.id), AuditEvent::AccountDeletionRequested, request.client_ip, now);
        self.audit.record(entry).await?;
        Ok(delete_after)
    }

    async fn confirm(&self, user: &User, request: &RequestAccountDeletionRequest) -> Result<(), AppError> {
        if let Some(hash) = &user.password_hash {
            let password = request.password.as_deref().unwrap_or_default();
            if password.is_empty() {
                return Err(AppError::field(Field::Password, Problem::Required));
            }
            let verify = async {
                if password.len() > MAX_PASSWORD_BYTES {
                    return Ok(false);
                }
                Ok(self.hasher.verify(password, Some(hash.clone())).await?)
            };
            return self
                .within_lock(user, verify, || FieldError::new(Field::Password, Problem::AccountPasswordWrong))
                .await;
        }
        if let Some(mobile) = &user.mobile {
            let raw = request.sms_code.as_deref().unwrap_or_default().trim();
            if raw.is_empty() {
                return Err(AppError::field(Field::SmsCode, Problem::Required));
            }
            let code =
                VerificationCode::parse(raw).map_err(|e| AppError::field(Field::SmsCode, Problem::CodeFormat(e)))?;
            let recipient =
                CodeRecipient { channel: Channel::Sms, purpose: CodePurpose::Register, target: mobile.to_string() };
            let mut refusal = None;
            let verify = async {
                match self.codes.verify(&recipient, &code, Field::SmsCode).await {
                    Ok(()) => Ok(true),
                    Err(AppError::Validation(errors)) => {
                        refusal = errors.into_iter().next();
                        Ok(false)
                    }
                    Err(error) => Err(error),
                }
            };
            let outcome =
                self.within_lock(user, verify, || FieldError::new(Field::SmsCode, Problem::CodeExpired)).await;
            return match (outcome, refusal) {
                (Err(AppError::Validation(_)), Some(refusal)) => Err(AppError::Validation(vec![refusal])),
                (outcome, _) => outcome,
            };
        }
        let signed_in_for = self.clock.now().signed_duration_since(request.claims.issued_at);
        if signed_in_for > TimeDelta::from_std(RECENT_SIGN_IN).unwrap_or(TimeDelta::MAX) {
            return Err(AppError::field(Field::NonField, Problem::RecentSignInRequired));
        }
        Ok(())
    }

    /// Runs `check` within the account's failure counters (the login lock):
    /// a wrong answer is `wrong()`, a locked account is refused with the wait.
    async fn within_lock(
        &self,
        user: &User,
        check: impl Future<Output = Result<bool, AppError>>,
        wrong: impl FnOnce() -> FieldError,
    ) -> Result<(), AppError> {
        match check_within(self.limiter.as_ref(), &self.policy.account_limits(user.id), check).await? {
            // An account with no silent counter is never withheld, only refused.
            Verdict::Locked { retry_after } | Verdict::Withheld { retry_after } => {
                Err(AppError::RateLimited { retry_after })
            }
            Verdict::Wrong => Err(AppError::Validation(vec![wrong()])),
            Verdict::Right => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use domain::UserId;

    use super::*;
    use crate::Backend;
    use crate::ports::{
        CodeCheck, MockAccessTokenRevocations, MockAccountDeletions, MockAuditLog, MockClock, MockPasswordHasher,
        MockRateLimiter, MockRefreshTokenStore, MockUserRepository, RepoError, Reservation, Settlement,
    };
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;

    const COOLING_OFF: Duration = Duration::from_secs(15 * 24 * 60 * 60);
    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn scheduled_at() -> DateTime<Utc> {
        now() + TimeDelta::days(15)
    }

    #[derive(Default)]
    struct Ports {
        users: MockUserRepository,
        deletions: MockAccountDeletions,
        hasher: MockPasswordHasher,
        limiter: MockRateLimiter,
        codes: CodePorts,
        refresh: MockRefreshTokenStore,
        revocations: MockAccessTokenRevocations,
        audit: MockAuditLog,
    }

    impl Ports {
        fn use_case(self) -> RequestAccountDeletion {
            let mut clock = MockClock::new();
            clock.expect_now().returning(now);
            RequestAccountDeletion::new(
                Arc::new(self.users),
                Arc::new(self.deletions),
                PasswordGuard {
                    hasher: Arc::new(self.hasher),
                    limiter: Arc::new(self.limiter),
                    policy: LoginPolicy::default(),
                },
                self.codes.build(),
                SessionStores { refresh: Arc::new(self.refresh), revocations: Arc::new(self.revocations) },
                Arc::new(self.audit),
                Arc::new(clock),
                COOLING_OFF,
            )
        }

        fn user(mut self, user: User) -> Self {
            self.users.expect_find_by_id().returning(move |_| Ok(Some(user.clone())));
            self
        }

        /// A try takes its slot in the account's failure counter; a right answer gives it back.
        fn within_the_lock(mut self, right: bool) -> Self {
            self.limiter
                .expect_reserve()
                .withf(|limits| limits.open.len() == 1 && limits.open[0].key == "login:user:1")
                .times(1)
                .returning(|_| Ok(Reservation::Taken));
            let settlement = if right { Settlement::Refunded } else { Settlement::Charged };
            self.limiter.expect_settle().withf(move |_, s| *s == settlement).times(1).returning(|_, _| Ok(()));
            self
        }

        fn password_is(mut self, right: bool) -> Self {
            self.hasher.expect_verify().withf(|p, _| p == "correct-horse").times(1).returning(move |_, _| Ok(right));
            self.within_the_lock(right)
        }

        /// Expects the schedule (answering `in_force`), the end of every session and the audit entry, in that order.
        fn expecting_the_deletion(mut self, in_force: DateTime<Utc>) -> Self {
            let mut order = mockall::Sequence::new();
            self.deletions
                .expect_schedule()
                .withf(|user, at| *user == UserId(1) && *at == scheduled_at())
                .times(1)
                .in_sequence(&mut order)
                .returning(move |_, _| Ok(Some(in_force)));
            self.refresh
                .expect_revoke_user()
                .withf(|user| *user == UserId(1))
                .times(1)
                .in_sequence(&mut order)
                .returning(|_| Ok(()));
            self.revocations
                .expect_revoke_all()
                .withf(|user| *user == UserId(1))
                .times(1)
                .in_sequence(&mut order)
                .returning(|_| Ok(1));
            self.audit
                .expect_record()
                .withf(|e| {
                    e.event == AuditEvent::AccountDeletionRequested && e.user_id == Some(UserId(1)) && e.ip == IP
                })
                .times(1)
                .in_sequence(&mut order)
                .returning(|_| Ok(()));
            self
        }
    }

    fn claims(issued_at: DateTime<Utc>) -> AccessClaims {
        AccessClaims {
            user_id: UserId(1),
            username: "alice".into(),
            token_id: "jti".into(),
            session_id: Some("session".into()),
            version: 0,
            issued_at,
            expires_at: issued_at + TimeDelta::days(1),
        }
    }

    fn request(password: Option<&str>, sms_code: Option<&str>) -> RequestAccountDeletionRequest {
        RequestAccountDeletionRequest {
            claims: claims(now() - TimeDelta::hours(2)),
            password: password.map(Into::into),
            sms_code: sms_code.map(Into::into),
            client_ip: IP,
        }
    }

    fn without_password() -> User {
        User { password_hash: None, ..stored_user() }
    }

    fn wechat_only() -> User {
        User { password_hash: None, mobile: None, ..stored_user() }
    }

    #[tokio::test]
    async fn the_right_password_schedules_the_erasure_ends_every_session_and_audits() {
        let ports = Ports::default().user(stored_user()).password_is(true).expecting_the_deletion(scheduled_at());
        assert_eq!(ports.use_case().execute(request(Some("correct-horse"), None)).await, Ok(scheduled_at()));
    }

    #[tokio::test]
    async fn an_account_scheduled_already_keeps_its_earlier_time() {
        let earlier = now() - TimeDelta::days(3);
        let ports = Ports::default().user(stored_user()).password_is(true).expecting_the_deletion(earlier);
        assert_eq!(ports.use_case().execute(request(Some("correct-horse"), None)).await, Ok(earlier));
    }

    #[tokio::test]
    async fn a_wrong_password_is_refused_keeps_its_slot_and_schedules_nothing() {
        // No schedule expectation: scheduling would panic.
        let ports = Ports::default().user(stored_user()).password_is(false);
        let got = ports.use_case().execute(request(Some("correct-horse"), None)).await;
        assert_eq!(got, Err(AppError::field(Field::Password, Problem::AccountPasswordWrong)));
    }

    #[tokio::test]
    async fn an_account_with_a_password_needs_it_even_with_a_code() {
        let ports = Ports::default().user(stored_user());
        let got = ports.use_case().execute(request(None, Some("123456"))).await;
        assert_eq!(got, Err(AppError::field(Field::Password, Problem::Required)));
    }

    #[tokio::test]
    async fn a_locked_account_is_refused_with_the_wait_before_any_hashing() {
        let mut ports = Ports::default().user(stored_user());
        let wait = Duration::from_secs(600);
        ports.limiter.expect_reserve().returning(move |_| Ok(Reservation::Refused { retry_after: wait }));
        let got = ports.use_case().execute(request(Some("correct-horse"), None)).await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn an_account_without_a_password_confirms_with_a_registration_code_to_its_mobile() {
        let mut ports = Ports::default().user(without_password()).within_the_lock(true);
        ports.codes = ports.codes.check_answers("13800138000", CodePurpose::Register, CodeCheck::Accepted);
        let ports = ports.expecting_the_deletion(scheduled_at());
        assert_eq!(ports.use_case().execute(request(None, Some("123456"))).await, Ok(scheduled_at()));
    }

    #[tokio::test]
    async fn a_wrong_code_is_refused_on_sms_code_and_counts_toward_the_lock() {
        let mut ports = Ports::default().user(without_password()).within_the_lock(false);
        ports.codes =
            ports.codes.check_answers("13800138000", CodePurpose::Register, CodeCheck::Rejected { attempts_left: 3 });
        let got = ports.use_case().execute(request(None, Some("123456"))).await;
        assert_eq!(got, Err(AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 3 })));
    }

    #[tokio::test]
    async fn a_missing_or_malformed_code_is_refused_before_any_check() {
        let got = Ports::default().user(without_password()).use_case().execute(request(None, None)).await;
        assert_eq!(got, Err(AppError::field(Field::SmsCode, Problem::Required)));
        let got = Ports::default().user(without_password()).use_case().execute(request(None, Some("12ab"))).await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(errors[0].field, Field::SmsCode);
        assert!(matches!(errors[0].problem, Problem::CodeFormat(_)));
    }

    #[tokio::test]
    async fn an_account_with_neither_confirms_with_a_recent_sign_in() {
        let ports = Ports::default().user(wechat_only()).expecting_the_deletion(scheduled_at());
        let fresh =
            RequestAccountDeletionRequest { claims: claims(now() - TimeDelta::minutes(4)), ..request(None, None) };
        assert_eq!(ports.use_case().execute(fresh).await, Ok(scheduled_at()));

        let stale =
            RequestAccountDeletionRequest { claims: claims(now() - TimeDelta::minutes(6)), ..request(None, None) };
        let got = Ports::default().user(wechat_only()).use_case().execute(stale).await;
        assert_eq!(got, Err(AppError::field(Field::NonField, Problem::RecentSignInRequired)));
    }

    #[tokio::test]
    async fn an_account_gone_meanwhile_is_a_revoked_token() {
        let mut ports = Ports::default();
        ports.users.expect_find_by_id().returning(|_| Ok(None));
        let got = ports.use_case().execute(request(Some("correct-horse"), None)).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)));

        let mut ports = Ports::default().user(wechat_only());
        ports.deletions.expect_schedule().returning(|_, _| Ok(None));
        let fresh = RequestAccountDeletionRequest { claims: claims(now()), ..request(None, None) };
        assert_eq!(ports.use_case().execute(fresh).await, Err(AppError::Unauthenticated(AuthFailure::Revoked)));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut ports = Ports::default().user(wechat_only());
        ports.deletions.expect_schedule().returning(|_, _| Err(RepoError::Unavailable("down".into())));
        let fresh = RequestAccountDeletionRequest { claims: claims(now()), ..request(None, None) };
        assert_eq!(ports.use_case().execute(fresh).await, Err(AppError::Unavailable(Backend::Database)));
    }
}
