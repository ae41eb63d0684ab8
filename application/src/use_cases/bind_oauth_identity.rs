use std::sync::Arc;

use domain::{LoginIdentifier, Mobile, NewUser, Password, User, VerificationCode};

use crate::ports::WebLoginProvider;
use crate::ports::{
    AuditEvent, Channel, Clock, CodePurpose, FlowKind, IdentityKey, NewIdentity, OAuthIdentityRepository,
    PasswordHasher, RateLimiter, RepoError, SignInOrigin, UniqueKey, UserRepository,
};
use crate::services::failure_counters::{Verdict, check_within};
use crate::web_login::bound_openid;
use crate::{
    AccountStores, AppError, CodeRecipient, Field, FieldError, FieldErrors, FlowTokens, LoggedIn, LoginPolicy,
    LoginRecorder, OneTimeCodes, PasswordGuard, Problem,
};

pub struct BindOAuthIdentityRequest {
    pub mobile: String,
    pub password: String,
    pub sms_code: String,
    /// The bind token of the callback.
    pub access_token: String,
    pub origin: SignInOrigin,
}

/// `POST /oauth/{qq,wechat}/user/`: binds a first-time identity (the bind
/// token of that provider's callback) to the account of a mobile the person
/// proves with an SMS code: an existing account's password must match; an
/// unknown mobile gets a new account (`username = mobile`), created together
/// with the binding in one transaction.
pub struct BindOAuthIdentity {
    provider: Arc<dyn WebLoginProvider>,
    identities: Arc<dyn OAuthIdentityRepository>,
    users: Arc<dyn UserRepository>,
    codes: Arc<OneTimeCodes>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<FlowTokens>,
    logins: Arc<LoginRecorder>,
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    policy: LoginPolicy,
}

/// What a clash means when binding: the identity of the bind token went to
/// another account meanwhile (409), or the new account's username (the mobile)
/// or mobile is taken.
fn bind_conflict(error: RepoError) -> AppError {
    match error {
        RepoError::Conflict(UniqueKey::Identity) => {
            AppError::Conflict(FieldError::new(Field::AccessToken, Problem::AlreadyBound))
        }
        RepoError::Conflict(UniqueKey::Username) => AppError::field(Field::Username, Problem::Taken),
        RepoError::Conflict(UniqueKey::Mobile) => AppError::field(Field::Mobile, Problem::Taken),
        other => other.into(),
    }
}

impl BindOAuthIdentity {
    pub fn new(
        provider: Arc<dyn WebLoginProvider>,
        accounts: AccountStores,
        codes: Arc<OneTimeCodes>,
        passwords: PasswordGuard,
        tokens: Arc<FlowTokens>,
        logins: Arc<LoginRecorder>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let AccountStores { users, identities } = accounts;
        let PasswordGuard { hasher, limiter, policy } = passwords;
        Self { provider, identities, users, codes, hasher, tokens, logins, limiter, clock, policy }
    }

    pub async fn execute(&self, request: BindOAuthIdentityRequest) -> Result<LoggedIn, AppError> {
        let mut errors = FieldErrors::default();
        let mobile = errors.check(Field::Mobile, Mobile::parse(&request.mobile), Problem::Mobile);
        let password = errors.check(Field::Password, Password::parse(&request.password), Problem::Password);
        let code = errors.check(Field::SmsCode, VerificationCode::parse(&request.sms_code), Problem::CodeFormat);
        if request.access_token.trim().is_empty() {
            errors.push(Field::AccessToken, Problem::StepTokenInvalid);
        }
        let (Some(mobile), Some(password), Some(code)) = (mobile, password, code) else {
            return Err(errors.into_error());
        };
        errors.into_result()?;

        let (field, problem) = (Field::AccessToken, Problem::StepTokenInvalid);
        let claims = self.tokens.inspect(&request.access_token, FlowKind::OAuthBind, field, problem)?;
        let provider = self.provider.provider();
        let openid = bound_openid(&claims.subject, provider).ok_or_else(|| AppError::field(field, problem))?;
        let identity = NewIdentity {
            key: IdentityKey { provider, app_id: self.provider.app_id(), openid: openid.to_owned() },
            unionid: claims.target.clone(),
        };
        if self.identities.find(&identity.key).await?.is_some() {
            return Err(AppError::Conflict(FieldError::new(Field::AccessToken, Problem::AlreadyBound)));
        }

        // Reserved for this try alone, so two simultaneous binds with one token
        // bind once; a refused or failed try gives the token back, so a wrong
        // password or code does not send the person back to QQ or WeChat.
        let claim = self.tokens.claim(&claims, self.clock.now(), field, problem).await?;
        let bound = self.bind(&identity, mobile, &password, &code).await;
        let user = self.tokens.settle(claim, bound).await?;
        self.logins.record(user, AuditEvent::OAuthBound, provider.into(), &request.origin).await
    }

    /// Binds `identity` to the account of `mobile` (proven by its SMS code),
    /// or to a new account named after it.
    async fn bind(
        &self,
        identity: &NewIdentity,
        mobile: Mobile,
        password: &Password,
        code: &VerificationCode,
    ) -> Result<User, AppError> {
        // The SMS code first: without the phone, nobody gets to try the account's password.
        let recipient =
            CodeRecipient { channel: Channel::Sms, purpose: CodePurpose::Register, target: mobile.to_string() };
        self.codes.verify(&recipient, code, Field::SmsCode).await?;

        let now = self.clock.now();
        match self.users.find_by_login(&LoginIdentifier::Mobile(mobile.clone())).await? {
            Some(user) => {
                self.check_password(&user, password).await?;
                self.identities.bind(identity, user.id, now).await.map_err(bind_conflict)?;
                Ok(user)
            }
            None => {
                let password_hash = self.hasher.hash(password.expose()).await?;
                let new_user = NewUser {
                    username: mobile.to_string(),
                    mobile: Some(mobile),
                    email: None,
                    email_active: false,
                    password_hash: Some(password_hash),
                    date_joined: now,
                };
                self.identities.create_user_with_identity(new_user, identity, now).await.map_err(bind_conflict)
            }
        }
    }

    /// The account's password, under the same lock as password login: binding
    /// must not become a way around it.
    async fn check_password(&self, user: &User, password: &Password) -> Result<(), AppError> {
        let limits = self.policy.account_limits(user.id);
        let verify = async { Ok(self.hasher.verify(password.expose(), user.password_hash.clone()).await?) };
        match check_within(self.limiter.as_ref(), &limits, verify).await? {
            // An account with no silent counter is never withheld, only refused.
            Verdict::Locked { retry_after } | Verdict::Withheld { retry_after } => {
                Err(AppError::RateLimited { retry_after })
            }
            Verdict::Wrong => Err(AppError::field(Field::Password, Problem::AccountPasswordWrong)),
            Verdict::Right => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    use crate::ports::MockWebLoginProvider;
    use crate::ports::{
        BoundIdentity, CodeCheck, HashError, MockClock, MockFlowTokenSigner, MockLoginStore,
        MockOAuthIdentityRepository, MockPasswordHasher, MockRateLimiter, MockUserRepository, OAuthProvider,
        RateDecision, RateLimit, Reservation, Settlement,
    };
    use crate::services::failure_counters::tests::{MAX, SlowWrongHasher, counting_limiter};
    use crate::services::flow_tokens::tests::claims;
    use crate::services::login_recorder::tests::recorder;
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;

    struct Ports {
        identities: MockOAuthIdentityRepository,
        users: MockUserRepository,
        codes: CodePorts,
        hasher: MockPasswordHasher,
        signer: MockFlowTokenSigner,
        uses: MockRateLimiter,
        limiter: MockRateLimiter,
        logins: MockLoginStore,
    }

    impl Ports {
        /// A valid bind token for OPENID and an unbound identity.
        fn ready() -> Self {
            let mut signer = MockFlowTokenSigner::new();
            signer
                .expect_verify()
                .withf(|_, kind| *kind == FlowKind::OAuthBind)
                .returning(|_, _| Ok(claims(FlowKind::OAuthBind, "qq:OPENID", Some("UNIONID"), 0)));
            let mut identities = MockOAuthIdentityRepository::new();
            identities.expect_find().returning(|_| Ok(None));
            Self {
                identities,
                users: MockUserRepository::new(),
                codes: CodePorts::default(),
                hasher: MockPasswordHasher::new(),
                signer,
                uses: MockRateLimiter::new(),
                limiter: MockRateLimiter::new(),
                logins: MockLoginStore::new(),
            }
        }

        fn code(mut self, outcome: CodeCheck) -> Self {
            self.codes = CodePorts::default().check_answers("13800138000", CodePurpose::Register, outcome);
            self
        }

        /// The bind token reserved for this try and kept: the mock refuses a give-back.
        fn token_spent_once(mut self) -> Self {
            self.uses.expect_acquire().withf(is_the_token).times(1).returning(|_| Ok(RateDecision::Allowed));
            self
        }

        /// The bind token reserved for this try, then given back.
        fn token_given_back(mut self) -> Self {
            self.uses.expect_acquire().withf(is_the_token).times(1).returning(|_| Ok(RateDecision::Allowed));
            self.uses.expect_release().withf(is_the_token).times(1).returning(|_| Ok(()));
            self
        }

        fn finishing(mut self) -> Self {
            self.logins
                .expect_record_login()
                .withf(|login| login.audit.event == AuditEvent::OAuthBound)
                .times(1)
                .returning(|_| {
                    Ok(Some(crate::ports::StoredLogin { refresh_token: "refresh".into(), restored: false }))
                });
            self
        }

        fn use_case(self) -> BindOAuthIdentity {
            let (hasher, limiter) = (Arc::new(self.hasher), Arc::new(self.limiter));
            Ports { hasher: MockPasswordHasher::new(), limiter: MockRateLimiter::new(), ..self }
                .use_case_with(hasher, limiter)
        }

        fn use_case_with(self, hasher: Arc<dyn PasswordHasher>, limiter: Arc<dyn RateLimiter>) -> BindOAuthIdentity {
            let mut provider = MockWebLoginProvider::new();
            provider.expect_provider().return_const(OAuthProvider::Qq);
            provider.expect_app_id().returning(|| "101474184".into());
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            BindOAuthIdentity::new(
                Arc::new(provider),
                AccountStores { users: Arc::new(self.users), identities: Arc::new(self.identities) },
                self.codes.build(),
                PasswordGuard { hasher, limiter, policy: LoginPolicy::default() },
                Arc::new(FlowTokens::new(Arc::new(self.signer), Arc::new(self.uses))),
                recorder(self.logins),
                Arc::new(clock),
            )
        }
    }

    fn is_the_token(limits: &[RateLimit]) -> bool {
        limits.len() == 1 && limits[0].key == "flow:used:jti-1" && limits[0].max == 1
    }

    fn request() -> BindOAuthIdentityRequest {
        BindOAuthIdentityRequest {
            mobile: "13800138000".into(),
            password: "correct-horse".into(),
            sms_code: "123456".into(),
            access_token: "bind-token".into(),
            origin: SignInOrigin::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)), "Chrome on Windows"),
        }
    }

    fn expected_identity(identity: &NewIdentity) -> bool {
        identity.key.provider == OAuthProvider::Qq
            && identity.key.app_id == "101474184"
            && identity.key.openid == "OPENID"
            && identity.unionid.as_deref() == Some("UNIONID")
    }

    #[tokio::test]
    async fn an_unknown_mobile_gets_a_new_account_named_after_it_bound_in_one_step() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_spent_once().finishing();
        ports.users.expect_find_by_login().returning(|_| Ok(None));
        ports.hasher.expect_hash().returning(|_| Ok("$argon2id$new".into()));
        ports
            .identities
            .expect_create_user_with_identity()
            .withf(|user, identity, _| {
                user.username == "13800138000"
                    && user.mobile.as_ref().map(Mobile::as_str) == Some("13800138000")
                    && user.password_hash.as_deref() == Some("$argon2id$new")
                    && expected_identity(identity)
            })
            .times(1)
            .returning(|_, _, _| Ok(User { username: "13800138000".into(), ..stored_user() }));
        let bound = ports.use_case().execute(request()).await.unwrap();
        assert_eq!((bound.user.username.as_str(), bound.session.access.token.as_str()), ("13800138000", "jwt"));
    }

    #[tokio::test]
    async fn a_new_account_whose_username_or_mobile_was_taken_meanwhile_is_a_field_error_and_keeps_the_token() {
        for (key, field) in [(UniqueKey::Username, Field::Username), (UniqueKey::Mobile, Field::Mobile)] {
            let mut ports = Ports::ready().code(CodeCheck::Accepted).token_given_back();
            ports.users.expect_find_by_login().returning(|_| Ok(None));
            ports.hasher.expect_hash().returning(|_| Ok("$argon2id$new".into()));
            ports.identities.expect_create_user_with_identity().returning(move |_, _, _| Err(RepoError::Conflict(key)));
            let got = ports.use_case().execute(request()).await;
            assert_eq!(got.unwrap_err(), AppError::field(field, Problem::Taken), "{key:?}");
        }
    }

    #[tokio::test]
    async fn a_known_mobile_with_the_right_password_is_bound() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_spent_once().finishing();
        ports.users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        ports.limiter.expect_reserve().times(1).returning(|_| Ok(Reservation::Taken));
        ports.hasher.expect_verify().times(1).returning(|_, _| Ok(true));
        ports
            .limiter
            .expect_settle()
            .withf(|limits, settlement| limits.open[0].key == "login:user:1" && *settlement == Settlement::Refunded)
            .times(1)
            .returning(|_, _| Ok(()));
        ports
            .identities
            .expect_bind()
            .withf(|identity, user, _| expected_identity(identity) && *user == UserId(1))
            .times(1)
            .returning(|_, _, _| Ok(()));
        assert_eq!(ports.use_case().execute(request()).await.unwrap().user.id, UserId(1));
    }

    #[tokio::test]
    async fn a_wrong_password_binds_nothing_keeps_the_token_and_its_slot_in_the_lock() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_given_back();
        ports.users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        // Reserved before hashing, kept as a failure.
        ports
            .limiter
            .expect_reserve()
            .withf(|limits| limits.open[0].key == "login:user:1" && limits.silent.is_empty())
            .times(1)
            .returning(|_| Ok(Reservation::Taken));
        ports.hasher.expect_verify().returning(|_, _| Ok(false));
        ports
            .limiter
            .expect_settle()
            .withf(|_, settlement| *settlement == Settlement::Charged)
            .returning(|_, _| Ok(()));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::Password, Problem::AccountPasswordWrong));
    }

    #[tokio::test]
    async fn a_burst_of_wrong_passwords_gets_exactly_the_allowed_checks() {
        let mut ports = Ports::ready();
        ports.uses.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.uses.expect_release().returning(|_| Ok(()));
        ports.codes.codes.expect_check().returning(|_, _, _| Ok(CodeCheck::Accepted));
        ports.users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        let hasher = Arc::new(SlowWrongHasher::default());
        let count = Arc::new(AtomicU32::new(0));
        let bind = Arc::new(ports.use_case_with(hasher.clone(), Arc::new(counting_limiter(count.clone()))));
        let tries: Vec<_> = (0..25)
            .map(|_| {
                let bind = bind.clone();
                tokio::spawn(async move { bind.execute(request()).await.unwrap_err() })
            })
            .collect();
        let mut wrong = 0;
        for try_ in tries {
            match try_.await.unwrap() {
                AppError::Validation(_) => wrong += 1,
                AppError::RateLimited { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((wrong, hasher.verified.load(Ordering::SeqCst)), (MAX, MAX));
    }

    #[tokio::test]
    async fn a_locked_account_cannot_be_bound_to() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_given_back();
        ports.users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        let wait = Duration::from_secs(600);
        // The hasher mock has no expectation: hashing would panic.
        ports.limiter.expect_reserve().returning(move |_| Ok(Reservation::Refused { retry_after: wait }));
        assert_eq!(ports.use_case().execute(request()).await.unwrap_err(), AppError::RateLimited { retry_after: wait });
    }

    #[tokio::test]
    async fn a_password_check_that_cannot_finish_gives_the_slot_and_the_token_back_and_binds_nothing() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_given_back();
        ports.users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        ports.limiter.expect_reserve().times(1).returning(|_| Ok(Reservation::Taken));
        ports.hasher.expect_verify().returning(|_, _| Err(HashError::Failed("pool closed".into())));
        ports
            .limiter
            .expect_settle()
            .withf(|_, settlement| *settlement == Settlement::Refunded)
            .times(1)
            .returning(|_, _| Ok(()));
        assert!(matches!(ports.use_case().execute(request()).await, Err(AppError::Internal(_))));
    }

    #[tokio::test]
    async fn a_bind_that_cannot_be_stored_is_unavailable_and_keeps_the_token() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_given_back();
        ports.users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        ports.limiter.expect_reserve().returning(|_| Ok(Reservation::Taken));
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports.limiter.expect_settle().returning(|_, _| Ok(()));
        ports.identities.expect_bind().returning(|_, _, _| Err(RepoError::Unavailable("down".into())));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(crate::Backend::Database));
    }

    #[tokio::test]
    async fn a_token_another_bind_holds_is_refused_before_its_code_is_tried() {
        let mut ports = Ports::ready();
        let wait = Duration::from_secs(500);
        ports.uses.expect_acquire().returning(move |_| Ok(RateDecision::Limited { retry_after: wait }));
        // No code check expected: trying the code would fail the test.
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::AccessToken, Problem::StepTokenInvalid));
    }

    #[tokio::test]
    async fn an_identity_already_bound_is_a_conflict() {
        let mut ports = Ports::ready();
        ports.identities = MockOAuthIdentityRepository::new();
        ports.identities.expect_find().returning(|key| {
            Ok(Some(BoundIdentity { key: key.clone(), unionid: None, user_id: UserId(9), bound_at: Utc::now() }))
        });
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::Conflict(FieldError::new(Field::AccessToken, Problem::AlreadyBound)));
    }

    #[tokio::test]
    async fn losing_the_race_for_the_identity_is_a_conflict_too() {
        let mut ports = Ports::ready().code(CodeCheck::Accepted).token_given_back();
        ports.users.expect_find_by_login().returning(|_| Ok(None));
        ports.hasher.expect_hash().returning(|_| Ok("$argon2id$new".into()));
        ports
            .identities
            .expect_create_user_with_identity()
            .returning(|_, _, _| Err(RepoError::Conflict(UniqueKey::Identity)));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::Conflict(FieldError::new(Field::AccessToken, Problem::AlreadyBound)));
    }

    #[tokio::test]
    async fn a_wrong_sms_code_is_refused_before_the_account_is_looked_at_and_keeps_the_token() {
        let mut ports = Ports::ready().token_given_back();
        ports.codes = CodePorts::default().check_answers(
            "13800138000",
            CodePurpose::Register,
            CodeCheck::Rejected { attempts_left: 4 },
        );
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 4 }));
    }

    #[tokio::test]
    async fn a_bad_bind_token_is_refused() {
        let mut ports = Ports::ready();
        ports.signer = MockFlowTokenSigner::new();
        ports.signer.expect_verify().returning(|_, _| Err(crate::ports::TokenError::Expired));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::AccessToken, Problem::StepTokenInvalid));
    }

    #[tokio::test]
    async fn another_provider_s_bind_token_is_refused() {
        let mut ports = Ports::ready();
        ports.signer = MockFlowTokenSigner::new();
        ports
            .signer
            .expect_verify()
            .returning(|_, _| Ok(claims(FlowKind::OAuthBind, "wechat_web:OPENID", Some("UNIONID"), 0)));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::AccessToken, Problem::StepTokenInvalid));
    }

    #[tokio::test]
    async fn malformed_fields_are_reported_together() {
        let ports = Ports::ready();
        let got = ports
            .use_case()
            .execute(BindOAuthIdentityRequest {
                mobile: "123".into(),
                password: "short".into(),
                sms_code: String::new(),
                access_token: String::new(),
                ..request()
            })
            .await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, [Field::Mobile, Field::Password, Field::SmsCode, Field::AccessToken]);
    }
}
