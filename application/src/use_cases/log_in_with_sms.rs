use std::sync::Arc;

use domain::{LoginIdentifier, Mobile, NewUser, User, UserId, VerificationCode};

use crate::ports::{
    AuditEntry, AuditEvent, AuditLog, Channel, Clock, CodeGenerator, CodePurpose, FailureLimits, LoginMethod,
    RateDecision, RateLimit, RateLimiter, RepoError, SignInOrigin, UniqueKey, UserRepository,
};
use crate::services::failure_counters::{Verdict, check_within};
use crate::{
    AppError, CodeRecipient, Field, FieldErrors, LoggedIn, LoginPolicy, LoginRecorder, OneTimeCodes, PasswordGuard,
    Problem, Session,
};

/// Generated names collide with an existing one about never; a few tries settle it.
const NAME_ATTEMPTS: usize = 3;

/// What the names of accounts opened by an SMS sign-in start with.
const NAME_PREFIX: &str = "m_";

pub struct SmsLogInRequest {
    pub mobile: String,
    /// The registration code sent by `GET /sms_codes/{mobile}/`.
    pub sms_code: String,
    pub origin: SignInOrigin,
}

impl std::fmt::Debug for SmsLogInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsLogInRequest").field("origin", &self.origin).finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct SmsLoggedIn {
    pub user: User,
    pub session: Session,
    /// Whether this sign-in opened the account.
    pub created: bool,
    /// The account was scheduled for deletion and this sign-in cancelled that.
    pub restored: bool,
}

/// `POST /authorizations/sms/`: signs in whoever proves they hold a mobile
/// with the registration code sent to it. A mobile without an account gets
/// one (a generated username, no password) unless sign-up is off, when it is
/// answered and counted exactly like a wrong code.
///
/// The code is checked by [`OneTimeCodes::verify`], as registration checks it:
/// consumed when right (so it cannot register or sign in again), burned after
/// its last allowed wrong try. Every refused code is also a failure of the
/// client's address in the password login's per-address counter, which is
/// charged before the code is looked at: a burst gets no more checks than
/// that counter allows, and a full one refuses with 429.
pub struct LogInWithSms {
    users: Arc<dyn UserRepository>,
    codes: Arc<OneTimeCodes>,
    generator: Arc<dyn CodeGenerator>,
    logins: Arc<LoginRecorder>,
    limiter: Arc<dyn RateLimiter>,
    policy: LoginPolicy,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    signup: bool,
}

impl LogInWithSms {
    /// Only the guard's limiter and policy are used: wrong codes count with
    /// wrong passwords from the same address.
    pub fn new(
        users: Arc<dyn UserRepository>,
        codes: Arc<OneTimeCodes>,
        generator: Arc<dyn CodeGenerator>,
        logins: Arc<LoginRecorder>,
        guard: &PasswordGuard,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let (limiter, policy) = (guard.limiter.clone(), guard.policy.clone());
        Self { users, codes, generator, logins, limiter, policy, audit, clock, signup: true }
    }

    /// Whether a mobile without an account gets one (`SMS_LOGIN_SIGNUP`, on by default).
    #[must_use]
    pub fn signing_up(self, signup: bool) -> Self {
        Self { signup, ..self }
    }

    pub async fn execute(&self, request: SmsLogInRequest) -> Result<SmsLoggedIn, AppError> {
        let mut errors = FieldErrors::default();
        let mobile = errors.check(Field::Mobile, Mobile::parse(&request.mobile), Problem::Mobile);
        let code = errors.check(Field::SmsCode, VerificationCode::parse(&request.sms_code), Problem::CodeFormat);
        let (Some(mobile), Some(code)) = (mobile, code) else {
            return Err(errors.into_error());
        };

        let user = self.users.find_by_login(&LoginIdentifier::Mobile(mobile.clone())).await?;
        let user_id = user.as_ref().map(|user| user.id);
        let recipient =
            CodeRecipient { channel: Channel::Sms, purpose: CodePurpose::Register, target: mobile.to_string() };
        let limits = FailureLimits {
            open: vec![self.policy.ip_limit(request.origin.ip)],
            silent: Vec::new(),
            patience: self.policy.in_flight_patience,
        };
        let mut refusal = None;
        let check = async {
            match self.codes.verify(&recipient, &code, Field::SmsCode).await {
                Ok(()) if user.is_some() || self.signup => Ok(true),
                // The right code of a mobile that may not sign up: spent, as
                // every accepted code is, and answered like a wrong one.
                Ok(()) => {
                    refusal = Some(self.codes.first_wrong_try(Field::SmsCode));
                    Ok(false)
                }
                Err(AppError::Validation(problems)) => {
                    refusal = Some(AppError::Validation(problems));
                    Ok(false)
                }
                Err(other) => Err(other),
            }
        };
        match check_within(self.limiter.as_ref(), &limits, check).await? {
            Verdict::Right => {}
            // The address's counter is open, so a full one refuses; none is silent to withhold a try.
            Verdict::Locked { retry_after } | Verdict::Withheld { retry_after } => {
                self.audit_lock(user_id, retry_after, &request.origin).await?;
                return Err(AppError::RateLimited { retry_after });
            }
            Verdict::Wrong => {
                self.audit(user_id, AuditEvent::LoginFailed, &request.origin).await?;
                return Err(refusal.unwrap_or_else(|| self.codes.first_wrong_try(Field::SmsCode)));
            }
        }
        let (user, created) = match user {
            Some(user) => (user, false),
            None => self.open_account(&mobile).await?,
        };
        let logged_in = self.logins.record(user, AuditEvent::LoginSucceeded, LoginMethod::Sms, &request.origin).await?;
        let LoggedIn { user, session, restored } = logged_in;
        Ok(SmsLoggedIn { user, session, created, restored })
    }

    /// A new account for `mobile`, or the one another request opened for it meanwhile.
    async fn open_account(&self, mobile: &Mobile) -> Result<(User, bool), AppError> {
        for _ in 0..NAME_ATTEMPTS {
            let new_user = NewUser {
                username: format!("{NAME_PREFIX}{}", self.generator.name_suffix()),
                mobile: Some(mobile.clone()),
                email: None,
                email_active: false,
                password_hash: None,
                date_joined: self.clock.now(),
            };
            match self.users.insert(new_user).await {
                Ok(user) => return Ok((user, true)),
                // The username was taken: the loop tries the next one.
                Err(RepoError::Conflict(UniqueKey::Username)) => {}
                // Another flow (a binding, a registration) took the mobile
                // meanwhile: the account it opened is the code holder's. Should
                // no account answer to the mobile even so, the mobile is taken
                // by one that cannot be signed in to, which is no server fault.
                Err(RepoError::Conflict(UniqueKey::Mobile)) => {
                    return match self.users.find_by_login(&LoginIdentifier::Mobile(mobile.clone())).await? {
                        Some(user) => Ok((user, false)),
                        None => Err(AppError::field(Field::Mobile, Problem::Taken)),
                    };
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Internal("no account could be opened for the mobile after several tries".into()))
    }

    /// Only the first refused try of a lock window is audited, as for
    /// password logins: the others tell nothing new.
    async fn audit_lock(
        &self,
        user_id: Option<UserId>,
        retry_after: std::time::Duration,
        origin: &SignInOrigin,
    ) -> Result<(), AppError> {
        let ip = self.policy.ip_limit(origin.ip);
        let first_of_window = [RateLimit::new(format!("{}:sms_locked", ip.key), 1, retry_after)];
        if self.limiter.acquire(&first_of_window).await? == RateDecision::Allowed {
            self.audit(user_id, AuditEvent::LoginLocked, origin).await?;
        }
        Ok(())
    }

    async fn audit(&self, user_id: Option<UserId>, event: AuditEvent, origin: &SignInOrigin) -> Result<(), AppError> {
        let entry = AuditEntry::sign_in(user_id, event, LoginMethod::Sms, origin, self.clock.now());
        Ok(self.audit.record(entry).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use chrono::Utc;
    use domain::MobileError;

    use super::*;
    use crate::Backend;
    use crate::ports::{
        CacheError, CodeCheck, MockAuditLog, MockClock, MockCodeGenerator, MockLoginStore, MockPasswordHasher,
        MockRateLimiter, MockUserRepository, Reservation, Settlement,
    };
    use crate::services::login_recorder::tests::recorder;
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));
    const MOBILE: &str = "13800138000";

    #[derive(Default)]
    struct Ports {
        users: MockUserRepository,
        codes: CodePorts,
        generator: MockCodeGenerator,
        logins: MockLoginStore,
        limiter: MockRateLimiter,
        audit: MockAuditLog,
        signup: Option<bool>,
    }

    impl Ports {
        fn account(mut self, user: Option<User>) -> Self {
            self.users
                .expect_find_by_login()
                .withf(|identifier| *identifier == LoginIdentifier::Mobile(Mobile::parse(MOBILE).unwrap()))
                .times(1)
                .returning(move |_| Ok(user.clone()));
            self
        }

        /// The code of `MOBILE`'s registration is checked once, answering `outcome`.
        fn code(mut self, outcome: CodeCheck) -> Self {
            self.codes = self.codes.check_answers(MOBILE, CodePurpose::Register, outcome);
            self
        }

        /// The address's failure counter (the password login's) has a place,
        /// which the try settles as `settlement`.
        fn counted(mut self, settlement: Settlement) -> Self {
            self.limiter
                .expect_reserve()
                .withf(|limits| {
                    let open: Vec<_> =
                        limits.open.iter().map(|l| (l.key.as_str(), l.max, l.window.as_secs())).collect();
                    open == [("login:ip:10.0.0.9", 30, 600)] && limits.silent.is_empty()
                })
                .times(1)
                .returning(|_| Ok(Reservation::Taken));
            self.limiter.expect_settle().withf(move |_, s| *s == settlement).times(1).returning(|_, _| Ok(()));
            self
        }

        fn audits(mut self, event: AuditEvent, user_id: Option<UserId>) -> Self {
            self.audit
                .expect_record()
                .withf(move |e| e.event == event && e.user_id == user_id && e.ip == IP)
                .times(1)
                .returning(|_| Ok(()));
            self
        }

        /// The sign-in is stored once for `user`, as a successful login.
        fn signs_in(mut self, user: UserId) -> Self {
            self.logins
                .expect_record_login()
                .withf(move |login| {
                    login.user == user && login.audit.event == AuditEvent::LoginSucceeded && login.audit.ip == IP
                })
                .times(1)
                .returning(|_| {
                    Ok(Some(crate::ports::StoredLogin { refresh_token: "refresh".into(), restored: false }))
                });
            self
        }

        fn use_case(self) -> LogInWithSms {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            let guard = PasswordGuard {
                hasher: Arc::new(MockPasswordHasher::new()),
                limiter: Arc::new(self.limiter),
                policy: LoginPolicy::default(),
            };
            let use_case = LogInWithSms::new(
                Arc::new(self.users),
                self.codes.build(),
                Arc::new(self.generator),
                recorder(self.logins),
                &guard,
                Arc::new(self.audit),
                Arc::new(clock),
            );
            match self.signup {
                Some(signup) => use_case.signing_up(signup),
                None => use_case,
            }
        }
    }

    fn request(code: &str) -> SmsLogInRequest {
        SmsLogInRequest {
            mobile: "+86 138-0013-8000".into(),
            sms_code: code.into(),
            origin: SignInOrigin::new(IP, "WeChat on iPhone"),
        }
    }

    fn new_account(user: &NewUser) -> User {
        User {
            id: UserId(2),
            username: user.username.clone(),
            mobile: user.mobile.clone(),
            password_hash: None,
            ..stored_user()
        }
    }

    #[tokio::test]
    async fn the_right_code_signs_the_mobiles_account_in_and_gives_the_counters_place_back() {
        let ports = Ports::default()
            .account(Some(stored_user()))
            .code(CodeCheck::Accepted)
            .counted(Settlement::Refunded)
            .signs_in(UserId(1));
        let signed_in = ports.use_case().execute(request("123456")).await.unwrap();
        assert_eq!((signed_in.user.id, signed_in.created), (UserId(1), false));
        assert!(signed_in.user.last_login.is_some());
        assert_eq!(
            (signed_in.session.access.token.as_str(), signed_in.session.refresh_token.as_str()),
            ("jwt", "refresh")
        );
    }

    #[tokio::test]
    async fn a_mobile_without_an_account_gets_one_with_a_generated_name_and_no_password() {
        let mut ports =
            Ports::default().account(None).code(CodeCheck::Accepted).counted(Settlement::Refunded).signs_in(UserId(2));
        ports.generator.expect_name_suffix().returning(|| "a1b2c3d4e5".into());
        ports
            .users
            .expect_insert()
            .withf(|user| {
                user.username == "m_a1b2c3d4e5"
                    && user.mobile.as_ref().map(Mobile::as_str) == Some(MOBILE)
                    && user.password_hash.is_none()
                    && user.email.is_none()
            })
            .times(1)
            .returning(|user| Ok(new_account(&user)));
        let signed_in = ports.use_case().execute(request("123456")).await.unwrap();
        assert_eq!(
            (signed_in.user.id, signed_in.user.username.as_str(), signed_in.created),
            (UserId(2), "m_a1b2c3d4e5", true)
        );
    }

    #[tokio::test]
    async fn a_taken_generated_name_is_tried_again_with_another() {
        let mut ports =
            Ports::default().account(None).code(CodeCheck::Accepted).counted(Settlement::Refunded).signs_in(UserId(2));
        let mut suffixes = vec!["taken00000".to_owned(), "free000000".to_owned()].into_iter();
        ports.generator.expect_name_suffix().times(2).returning(move || suffixes.next().unwrap_or_default());
        ports.users.expect_insert().times(2).returning(|user| {
            if user.username == "m_taken00000" {
                Err(RepoError::Conflict(UniqueKey::Username))
            } else {
                Ok(new_account(&user))
            }
        });
        let signed_in = ports.use_case().execute(request("123456")).await.unwrap();
        assert_eq!((signed_in.user.username.as_str(), signed_in.created), ("m_free000000", true));
    }

    #[tokio::test]
    async fn losing_the_race_for_the_mobile_signs_in_to_the_account_the_other_request_opened() {
        let mut ports = Ports::default().code(CodeCheck::Accepted).counted(Settlement::Refunded).signs_in(UserId(1));
        let mut finds = vec![None, Some(stored_user())].into_iter();
        ports.users.expect_find_by_login().times(2).returning(move |_| Ok(finds.next().flatten()));
        ports.generator.expect_name_suffix().returning(|| "a1b2c3d4e5".into());
        ports.users.expect_insert().times(1).returning(|_| Err(RepoError::Conflict(UniqueKey::Mobile)));
        let signed_in = ports.use_case().execute(request("123456")).await.unwrap();
        assert_eq!((signed_in.user.id, signed_in.created), (UserId(1), false));
    }

    #[tokio::test]
    async fn a_mobile_taken_by_an_account_no_lookup_finds_is_a_field_error_not_a_fault() {
        let mut ports = Ports::default().code(CodeCheck::Accepted).counted(Settlement::Refunded);
        ports.users.expect_find_by_login().times(2).returning(|_| Ok(None));
        ports.generator.expect_name_suffix().returning(|| "a1b2c3d4e5".into());
        ports.users.expect_insert().times(1).returning(|_| Err(RepoError::Conflict(UniqueKey::Mobile)));
        let got = ports.use_case().execute(request("123456")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::Mobile, Problem::Taken));
    }

    #[tokio::test]
    async fn an_account_that_cannot_be_stored_is_unavailable() {
        let mut ports = Ports::default().account(None).code(CodeCheck::Accepted).counted(Settlement::Refunded);
        ports.generator.expect_name_suffix().returning(|| "a1b2c3d4e5".into());
        ports.users.expect_insert().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = ports.use_case().execute(request("123456")).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(Backend::Database));
    }

    #[tokio::test]
    async fn a_wrong_code_is_a_failure_audited_for_the_account_and_kept_in_the_counter() {
        let ports = Ports::default()
            .account(Some(stored_user()))
            .code(CodeCheck::Rejected { attempts_left: 4 })
            .counted(Settlement::Charged)
            .audits(AuditEvent::LoginFailed, Some(UserId(1)));
        let got = ports.use_case().execute(request("654321")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 4 }));
    }

    #[tokio::test]
    async fn a_wrong_expired_or_burned_code_of_an_unknown_mobile_answers_as_registration_would() {
        for (outcome, problem) in [
            (CodeCheck::Rejected { attempts_left: 2 }, Problem::CodeWrong { attempts_left: 2 }),
            (CodeCheck::Exhausted, Problem::CodeExhausted),
            (CodeCheck::Missing, Problem::CodeExpired),
        ] {
            let ports = Ports::default()
                .account(None)
                .code(outcome)
                .counted(Settlement::Charged)
                .audits(AuditEvent::LoginFailed, None);
            let got = ports.use_case().execute(request("654321")).await;
            assert_eq!(got.unwrap_err(), AppError::field(Field::SmsCode, problem), "{outcome:?}");
        }
    }

    #[tokio::test]
    async fn without_sign_up_the_right_code_of_an_unknown_mobile_is_spent_and_answered_as_a_wrong_one() {
        // No insert and no login expectation: opening an account or signing in fails the test.
        let mut ports = Ports::default()
            .account(None)
            .code(CodeCheck::Accepted)
            .counted(Settlement::Charged)
            .audits(AuditEvent::LoginFailed, None);
        ports.signup = Some(false);
        let got = ports.use_case().execute(request("123456")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 4 }));
    }

    #[tokio::test]
    async fn without_sign_up_a_wrong_code_of_an_unknown_mobile_answers_as_for_an_account() {
        let mut ports = Ports::default()
            .account(None)
            .code(CodeCheck::Rejected { attempts_left: 3 })
            .counted(Settlement::Charged)
            .audits(AuditEvent::LoginFailed, None);
        ports.signup = Some(false);
        let got = ports.use_case().execute(request("654321")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 3 }));
    }

    #[tokio::test]
    async fn without_sign_up_a_known_mobile_still_signs_in() {
        let mut ports = Ports::default()
            .account(Some(stored_user()))
            .code(CodeCheck::Accepted)
            .counted(Settlement::Refunded)
            .signs_in(UserId(1));
        ports.signup = Some(false);
        let signed_in = ports.use_case().execute(request("123456")).await.unwrap();
        assert_eq!((signed_in.user.id, signed_in.created), (UserId(1), false));
    }

    #[tokio::test]
    async fn a_full_address_counter_refuses_without_checking_the_code_and_audits_the_lock_once() {
        let wait = Duration::from_secs(500);
        // No code check expectation: checking the code fails the test.
        let mut ports = Ports::default().audits(AuditEvent::LoginLocked, Some(UserId(1)));
        ports.users.expect_find_by_login().times(2).returning(|_| Ok(Some(stored_user())));
        ports.limiter.expect_reserve().returning(move |_| Ok(Reservation::Refused { retry_after: wait }));
        let mut decisions = vec![RateDecision::Allowed, RateDecision::Limited { retry_after: wait }].into_iter();
        ports
            .limiter
            .expect_acquire()
            .withf(|limits| limits.len() == 1 && limits[0].key == "login:ip:10.0.0.9:sms_locked" && limits[0].max == 1)
            .times(2)
            .returning(move |_| Ok(decisions.next().unwrap_or(RateDecision::Allowed)));
        let use_case = ports.use_case();
        for _ in 0..2 {
            let got = use_case.execute(request("654321")).await;
            assert_eq!(got.unwrap_err(), AppError::RateLimited { retry_after: wait });
        }
    }

    #[tokio::test]
    async fn a_cache_outage_while_checking_the_code_is_unavailable_and_gives_the_place_back() {
        let mut ports = Ports::default().account(Some(stored_user())).counted(Settlement::Refunded);
        ports.codes.codes.expect_check().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        let got = ports.use_case().execute(request("123456")).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(Backend::Cache));
    }

    #[tokio::test]
    async fn a_malformed_mobile_or_code_is_a_field_error_before_anything_is_looked_up() {
        // No expectation on any port: a lookup, a counter or a code check fails the test.
        let got = Ports::default()
            .use_case()
            .execute(SmsLogInRequest {
                mobile: String::new(),
                sms_code: "12ab".into(),
                origin: SignInOrigin::new(IP, "WeChat on iPhone"),
            })
            .await;
        let AppError::Validation(problems) = got.unwrap_err() else { panic!("not a validation error") };
        let fields: Vec<_> = problems.iter().map(|p| (p.field, p.problem)).collect();
        assert_eq!(fields[0], (Field::Mobile, Problem::Mobile(MobileError::Empty)));
        assert_eq!(fields[1].0, Field::SmsCode);
        assert!(matches!(fields[1].1, Problem::CodeFormat(_)));
    }
}
