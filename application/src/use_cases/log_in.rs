use std::sync::Arc;

use domain::LoginIdentifier;

use crate::ports::{
    AuditEntry, AuditEvent, AuditLog, Clock, LoginMethod, PasswordHasher, RateDecision, RateLimit, RateLimiter,
    SignInOrigin, UserRepository,
};
use crate::services::failure_counters::{Verdict, check_within};
use crate::{AppError, Field, FieldErrors, LoggedIn, LoginPolicy, LoginRecorder, PasswordGuard, Problem};

/// Longest password accepted at login; longer input cannot match (new
/// passwords are at most 20 characters) and only costs hashing time.
const MAX_PASSWORD_BYTES: usize = 1024;

pub struct LogInRequest {
    /// A username, mobile or email.
    pub account: String,
    pub password: String,
    pub origin: SignInOrigin,
}

/// Password login by username, mobile or email.
///
/// Every failure after the form check looks the same, in body and in time: an
/// unknown account still pays one password verification against a dummy hash,
/// and is locked after the same number of failures as a real one.
pub struct LogIn {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    logins: Arc<LoginRecorder>,
    limiter: Arc<dyn RateLimiter>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    policy: LoginPolicy,
}

impl LogIn {
    pub fn new(
        users: Arc<dyn UserRepository>,
        passwords: PasswordGuard,
        logins: Arc<LoginRecorder>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let PasswordGuard { hasher, limiter, policy } = passwords;
        Self { users, hasher, logins, limiter, audit, clock, policy }
    }

    pub async fn execute(&self, request: LogInRequest) -> Result<LoggedIn, AppError> {
        let mut errors = FieldErrors::default();
        if request.account.trim().is_empty() {
            errors.push(Field::Username, Problem::Required);
        }
        if request.password.is_empty() {
            errors.push(Field::Password, Problem::Required);
        }
        errors.into_result()?;

        let identifier = LoginIdentifier::parse(&request.account);
        let user = match &identifier {
            Some(identifier) if request.password.len() <= MAX_PASSWORD_BYTES => {
                self.users.find_by_login(identifier).await?
            }
            _ => None,
        };
        // The name as typed (normalised), the same whether or not it is an account's.
        let name = match &identifier {
            Some(identifier) => self.policy.identifier_limit(identifier),
            None => self.policy.name_limit(&request.account.trim().to_lowercase().chars().take(64).collect::<String>()),
        };
        let user_id = user.as_ref().map(|user| user.id);
        // One lock entry per account, or per name that is nobody's.
        let lock_key = match user_id {
            Some(user) => self.policy.account_limit_for_user(user).key,
            None => name.key.clone(),
        };
        let name_key = name.key.clone();
        let limits = self.policy.login_limits(name, user_id, request.origin.ip);
        let stored_hash = user.as_ref().and_then(|user| user.password_hash.clone());
        let verify = async {
            let matches = self.hasher.verify(&request.password, stored_hash.clone()).await?;
            Ok(matches && user.is_some())
        };
        let user = match (check_within(self.limiter.as_ref(), &limits, verify).await?, user) {
            (Verdict::Locked { retry_after }, _) => {
                self.audit_lock(&lock_key, user_id, retry_after, &request.origin).await?;
                return Err(AppError::RateLimited { retry_after });
            }
            (Verdict::Withheld { retry_after }, _) => {
                // Answered like a wrong password, and as late: the account's
                // lock must not show through a name that has not reached its own.
                self.hasher.pass_verification_time().await;
                self.audit_lock(&lock_key, user_id, retry_after, &request.origin).await?;
                return Err(AppError::InvalidCredentials);
            }
            (Verdict::Right, Some(user)) => user,
            _ => {
                self.audit(user_id, AuditEvent::LoginFailed, &request.origin).await?;
                return Err(AppError::InvalidCredentials);
            }
        };
        self.limiter.reset(&self.policy.account_limit_for_user(user.id).key).await?;
        self.limiter.reset(&name_key).await?;
        // Accounts imported from the Django shop carry PBKDF2 hashes; the
        // password is at hand now, so the hash is upgraded to today's argon2id.
        if let Some(stored) = stored_hash.as_deref()
            && self.hasher.needs_rehash(stored)
        {
            let upgraded = self.hasher.hash(&request.password).await?;
            self.users.update_password_hash(user.id, &upgraded).await?;
        }
        self.logins.record(user, AuditEvent::LoginSucceeded, LoginMethod::Password, &request.origin).await
    }

    /// Only the first refused or withheld try of a lock window is audited:
    /// the others tell nothing new and would let anyone grow the trail for
    /// free. One entry per account (whichever of its names was tried) per
    /// lock, and per address no more entries per window than it may fail, so
    /// names made up by the thousand add nothing either.
    async fn audit_lock(
        &self,
        lock_key: &str,
        user_id: Option<domain::UserId>,
        retry_after: std::time::Duration,
        origin: &SignInOrigin,
    ) -> Result<(), AppError> {
        let ip = self.policy.ip_limit(origin.ip);
        let first_of_window = [
            RateLimit::new(format!("{lock_key}:locked"), 1, retry_after),
            RateLimit::new(format!("{}:locked", ip.key), ip.max, ip.window),
        ];
        if self.limiter.acquire(&first_of_window).await? == RateDecision::Allowed {
            self.audit(user_id, AuditEvent::LoginLocked, origin).await?;
        }
        Ok(())
    }

    async fn audit(
        &self,
        user_id: Option<domain::UserId>,
        event: AuditEvent,
        origin: &SignInOrigin,
    ) -> Result<(), AppError> {
        let entry = AuditEntry::sign_in(user_id, event, LoginMethod::Password, origin, self.clock.now());
        Ok(self.audit.record(entry).await?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use chrono::Utc;
    use domain::{Mobile, Profile, User, UserId};

    use super::*;
    use crate::Backend;
    use crate::ports::{
        HashError, IssuedToken, MockAuditLog, MockClock, MockLoginStore, MockPasswordHasher, MockRateLimiter,
        MockRefreshTokenStore, MockTokenIssuer, MockUserRepository, RepoError, Reservation, Settlement,
    };
    use crate::{SessionIssuer, SessionPolicy};

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7));

    pub(crate) fn stored_user() -> User {
        User {
            id: UserId(1),
            username: "alice".into(),
            mobile: Some(Mobile::parse("13800138000").unwrap()),
            email: None,
            pending_email: None,
            password_hash: Some("$argon2id$stored".into()),
            profile: Profile::default(),
            date_joined: Utc::now(),
            last_login: None,
            token_version: 0,
        }
    }

    struct Ports {
        users: MockUserRepository,
        hasher: MockPasswordHasher,
        tokens: MockTokenIssuer,
        limiter: MockRateLimiter,
        audit: MockAuditLog,
        logins: MockLoginStore,
    }

    impl Ports {
        fn new() -> Self {
            Self {
                users: MockUserRepository::new(),
                hasher: MockPasswordHasher::new(),
                tokens: MockTokenIssuer::new(),
                limiter: MockRateLimiter::new(),
                audit: MockAuditLog::new(),
                logins: MockLoginStore::new(),
            }
        }

        fn user(mut self, user: Option<User>) -> Self {
            self.users.expect_find_by_login().returning(move |_| Ok(user.clone()));
            self
        }

        /// Every try gets its places in the failure counters; a wrong password keeps them.
        fn not_locked(mut self) -> Self {
            self.limiter.expect_reserve().returning(|_| Ok(Reservation::Taken));
            self.limiter.expect_settle().withf(|_, s| *s == Settlement::Charged).returning(|_, _| Ok(()));
            self
        }

        /// A right password gives its places back, once.
        fn gives_back_the_slots(mut self) -> Self {
            self.limiter
                .expect_settle()
                .withf(|limits, s| limits.open.len() == 2 && *s == Settlement::Refunded)
                .times(1)
                .returning(|_, _| Ok(()));
            self
        }

        fn password_matches(mut self, matches: bool) -> Self {
            self.hasher.expect_verify().returning(move |_, _| Ok(matches));
            self.hasher.expect_needs_rehash().returning(|_| false);
            self
        }

        fn audits(mut self, event: AuditEvent) -> Self {
            self.audit
                .expect_record()
                .withf(move |e| {
                    e.event == event
                        && e.ip == IP
                        && e.method == Some(LoginMethod::Password)
                        && e.device.as_deref() == Some("Safari on iPhone")
                })
                .times(1)
                .returning(|_| Ok(()));
            self
        }

        /// The login is stored once, for user 1, audited as a success.
        fn stores_the_login(mut self) -> Self {
            self.logins
                .expect_record_login()
                .withf(|login| {
                    login.user == UserId(1) && login.audit.event == AuditEvent::LoginSucceeded && login.audit.ip == IP
                })
                .times(1)
                .returning(|_| {
                    Ok(Some(crate::ports::StoredLogin { refresh_token: "refresh".into(), restored: false }))
                });
            self
        }

        fn use_case(self) -> LogIn {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            let sessions = SessionIssuer::new(
                Arc::new(self.tokens),
                Arc::new(MockRefreshTokenStore::new()),
                SessionPolicy::default(),
            );
            let (audit, clock) = (Arc::new(self.audit), Arc::new(clock));
            let logins = LoginRecorder::new(Arc::new(self.logins), clock.clone(), Arc::new(sessions));
            LogIn::new(
                Arc::new(self.users),
                PasswordGuard {
                    hasher: Arc::new(self.hasher),
                    limiter: Arc::new(self.limiter),
                    policy: LoginPolicy::default(),
                },
                Arc::new(logins),
                audit,
                clock,
            )
        }
    }

    fn request(account: &str, password: &str) -> LogInRequest {
        LogInRequest {
            account: account.into(),
            password: password.into(),
            origin: SignInOrigin::new(IP, "Safari on iPhone"),
        }
    }

    #[tokio::test]
    async fn the_right_password_logs_in_by_username_mobile_or_email_and_records_it() {
        for (account, expected, name) in [
            ("Alice", LoginIdentifier::Username("Alice".into()), "alice"),
            ("+86 138 0013 8000", LoginIdentifier::Mobile(Mobile::parse("13800138000").unwrap()), "13800138000"),
            (
                "Alice@Example.com",
                LoginIdentifier::Email(domain::Email::parse("alice@example.com").unwrap()),
                "alice@example.com",
            ),
        ] {
            let mut ports = Ports::new().not_locked().gives_back_the_slots().stores_the_login();
            ports.users.expect_find_by_login().withf(move |id| *id == expected).returning(|_| Ok(Some(stored_user())));
            ports
                .hasher
                .expect_verify()
                .withf(|candidate, stored| {
                    candidate == "right-password" && stored.as_deref() == Some("$argon2id$stored")
                })
                .returning(|_, _| Ok(true));
            ports.hasher.expect_needs_rehash().returning(|_| false);
            // The account's failures and the name's are forgotten.
            ports.limiter.expect_reset().withf(|key| key == "login:user:1").times(1).returning(|_| Ok(()));
            let name_key = format!("login:name:{name}");
            ports.limiter.expect_reset().withf(move |key| *key == name_key).times(1).returning(|_| Ok(()));
            ports.tokens.expect_issue().returning(|_, _| {
                Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400, session_id: "session".into() })
            });
            let logged_in = ports.use_case().execute(request(account, "right-password")).await.unwrap();
            assert_eq!(logged_in.user.id, UserId(1));
            assert!(logged_in.user.last_login.is_some());
            assert_eq!(logged_in.session.access.token, "jwt");
            assert_eq!(logged_in.session.refresh_token, "refresh");
        }
    }

    #[tokio::test]
    async fn a_legacy_hash_is_upgraded_at_the_first_successful_login() {
        let legacy = User { password_hash: Some("pbkdf2_sha256$260000$salt$hash".into()), ..stored_user() };
        let mut ports = Ports::new().user(Some(legacy)).not_locked().gives_back_the_slots().stores_the_login();
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports.hasher.expect_needs_rehash().withf(|stored| stored.starts_with("pbkdf2_sha256$")).returning(|_| true);
        ports
            .hasher
            .expect_hash()
            .withf(|password| password == "old-django-pw")
            .times(1)
            .returning(|_| Ok("$argon2id$new".into()));
        ports
            .users
            .expect_update_password_hash()
            .withf(|id, hash| *id == UserId(1) && hash == "$argon2id$new")
            .times(1)
            .returning(|_, _| Ok(()));
        ports.limiter.expect_reset().returning(|_| Ok(()));
        ports.tokens.expect_issue().returning(|_, _| {
            Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 60, session_id: "session".into() })
        });
        assert!(ports.use_case().execute(request("alice", "old-django-pw")).await.is_ok());
    }

    fn keys(limits: &[RateLimit]) -> Vec<(&str, u32, u64)> {
        limits.iter().map(|l| (l.key.as_str(), l.max, l.window.as_secs())).collect()
    }

    #[tokio::test]
    async fn a_wrong_password_keeps_its_place_in_the_name_the_address_and_the_account_counters() {
        let mut ports = Ports::new().user(Some(stored_user())).password_matches(false).audits(AuditEvent::LoginFailed);
        // Reserved before the hash is computed: the name's and the address's
        // counters show their lock, the account's only keeps passwords unchecked.
        ports
            .limiter
            .expect_reserve()
            .withf(|limits| {
                keys(&limits.open) == [("login:name:alice", 5, 900), ("login:ip:10.0.0.7", 30, 600)]
                    && keys(&limits.silent) == [("login:user:1", 5, 900)]
                    && limits.patience == Duration::from_secs(2)
            })
            .times(1)
            .returning(|_| Ok(Reservation::Taken));
        ports.limiter.expect_settle().withf(|_, s| *s == Settlement::Charged).times(1).returning(|_, _| Ok(()));
        let got = ports.use_case().execute(request("alice", "wrong-password")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn an_unknown_account_pays_a_dummy_verification_and_is_counted_by_its_name() {
        let mut ports = Ports::new().user(None).audits(AuditEvent::LoginFailed);
        ports.hasher.expect_verify().withf(|_, stored| stored.is_none()).times(1).returning(|_, _| Ok(false));
        ports
            .limiter
            .expect_reserve()
            .withf(|limits| limits.open[0].key == "login:name:nobody" && limits.silent.is_empty())
            .times(1)
            .returning(|_| Ok(Reservation::Taken));
        ports.limiter.expect_settle().withf(|_, s| *s == Settlement::Charged).times(1).returning(|_, _| Ok(()));
        let got = ports.use_case().execute(request("Nobody", "whatever-pw")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn a_locked_name_is_refused_with_the_wait_before_any_hashing() {
        // The hasher mock has no expectation: hashing would panic.
        let mut ports = Ports::new().user(Some(stored_user())).audits(AuditEvent::LoginLocked);
        let wait = Duration::from_secs(600);
        ports.limiter.expect_reserve().returning(move |_| Ok(Reservation::Refused { retry_after: wait }));
        ports
            .limiter
            .expect_acquire()
            .withf(move |markers| {
                let got: Vec<_> = markers.iter().map(|l| (l.key.as_str(), l.max, l.window)).collect();
                got == [("login:user:1:locked", 1, wait), ("login:ip:10.0.0.7:locked", 30, Duration::from_secs(600))]
            })
            .times(1)
            .returning(|_| Ok(RateDecision::Allowed));
        let got = ports.use_case().execute(request("alice", "right-password")).await;
        assert_eq!(got.err(), Some(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_name_of_an_account_locked_through_another_is_answered_like_a_wrong_password_without_hashing() {
        // The hasher may only pass a verification's time: hashing would panic.
        let mut ports = Ports::new().user(Some(stored_user())).audits(AuditEvent::LoginLocked);
        ports.hasher.expect_pass_verification_time().times(1).returning(|| ());
        let wait = Duration::from_secs(700);
        ports
            .limiter
            .expect_reserve()
            .withf(|limits| limits.open[0].key == "login:name:13800138000")
            .returning(move |_| Ok(Reservation::Withheld { retry_after: wait }));
        // Audited once per lock of the account, whichever name is tried.
        ports
            .limiter
            .expect_acquire()
            .withf(move |markers| markers[0] == RateLimit::new("login:user:1:locked", 1, wait))
            .times(1)
            .returning(|_| Ok(RateDecision::Allowed));
        let got = ports.use_case().execute(request("13800138000", "right-password")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn a_lock_already_audited_in_its_window_is_not_audited_again() {
        // The audit mock has no expectation: a second entry would panic.
        let mut ports = Ports::new().user(None);
        let wait = Duration::from_secs(600);
        ports.limiter.expect_reserve().returning(move |_| Ok(Reservation::Refused { retry_after: wait }));
        ports.limiter.expect_acquire().times(1).returning(move |_| Ok(RateDecision::Limited { retry_after: wait }));
        let got = ports.use_case().execute(request("nobody", "whatever-pw")).await;
        assert_eq!(got.err(), Some(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_hash_that_cannot_be_computed_gives_the_slots_back() {
        let mut ports = Ports::new().user(Some(stored_user())).gives_back_the_slots();
        ports.limiter.expect_reserve().returning(|_| Ok(Reservation::Taken));
        ports.hasher.expect_verify().times(1).returning(|_, _| Err(HashError::Failed("pool closed".into())));
        let got = ports.use_case().execute(request("alice", "pw-pw-pw-pw")).await;
        assert!(matches!(got, Err(AppError::Internal(_))), "{got:?}");
    }

    #[tokio::test]
    async fn an_account_key_that_cannot_exist_also_pays_the_verification() {
        let mut ports = Ports::new().not_locked();
        ports.hasher.expect_verify().withf(|_, stored| stored.is_none()).times(2).returning(|_, _| Ok(false));
        ports.audit.expect_record().returning(|_| Ok(()));
        let login = ports.use_case();
        assert_eq!(login.execute(request("a@b@c", "whatever-pw")).await.err(), Some(AppError::InvalidCredentials));
        let huge = "p".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(login.execute(request("alice", &huge)).await.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn an_account_without_a_usable_password_cannot_log_in_by_password() {
        let user = User { password_hash: None, ..stored_user() };
        let mut ports = Ports::new().user(Some(user)).not_locked().audits(AuditEvent::LoginFailed);
        ports.hasher.expect_verify().withf(|_, stored| stored.is_none()).returning(|_, _| Ok(false));
        let got = ports.use_case().execute(request("alice", "anything-1")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn empty_fields_are_required() {
        let got = Ports::new().use_case().execute(request(" ", "")).await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(
            errors.iter().map(|e| (e.field, e.problem)).collect::<Vec<_>>(),
            [(Field::Username, Problem::Required), (Field::Password, Problem::Required)]
        );
    }

    #[tokio::test]
    async fn backing_failures_surface_as_such() {
        let mut ports = Ports::new();
        ports.users.expect_find_by_login().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = ports.use_case().execute(request("alice", "pw-pw-pw-pw")).await;
        assert_eq!(got.err(), Some(AppError::Unavailable(Backend::Database)));

        let mut ports = Ports::new().user(Some(stored_user()));
        ports.limiter.expect_reserve().returning(|_| Err(crate::ports::CacheError::Unavailable("down".into())));
        let got = ports.use_case().execute(request("alice", "pw-pw-pw-pw")).await;
        assert_eq!(got.err(), Some(AppError::Unavailable(Backend::Cache)));

        let mut ports = Ports::new().user(Some(stored_user())).not_locked().gives_back_the_slots();
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports.hasher.expect_needs_rehash().returning(|_| false);
        ports.limiter.expect_reset().returning(|_| Ok(()));
        ports.tokens.expect_issue().returning(|_, _| {
            Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 60, session_id: "session".into() })
        });
        ports.logins.expect_record_login().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = ports.use_case().execute(request("alice", "pw-pw-pw-pw")).await;
        assert_eq!(got.err(), Some(AppError::Unavailable(Backend::Database)));
    }
}
