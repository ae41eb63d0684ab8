use std::sync::Arc;

use domain::{Email, Mobile, NewUser, Password, User, Username, VerificationCode};

use crate::ports::{
    Channel, Clock, CodePurpose, NewRegistration, PasswordHasher, RateDecision, RegistrationStore, RepoError,
    SignInOrigin, UniqueKey, UserRepository,
};
use crate::{AppError, CodeRecipient, Field, FieldErrors, NameAnswers, OneTimeCodes, Problem, Session, SessionIssuer};

/// The registration form, as typed: `mobile + sms_code`, or (when no mobile
/// is given) `email + email_code`.
#[derive(Default)]
pub struct RegisterUserRequest {
    pub username: String,
    pub password: String,
    pub password2: String,
    pub mobile: String,
    pub sms_code: String,
    pub email: String,
    pub email_code: String,
    pub allow: bool,
}

impl std::fmt::Debug for RegisterUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterUserRequest")
            .field("username", &self.username)
            .field("mobile", &self.mobile)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct Registered {
    pub user: User,
    pub session: Session,
}

/// The contact a person proves they hold by the code sent to it.
enum Contact {
    Mobile(Mobile),
    Email(Email),
}

impl Contact {
    fn recipient(&self) -> CodeRecipient {
        let (channel, target) = match self {
            Self::Mobile(mobile) => (Channel::Sms, mobile.to_string()),
            Self::Email(email) => (Channel::Email, email.to_string()),
        };
        CodeRecipient { channel, purpose: CodePurpose::Register, target }
    }

    fn code_field(&self) -> Field {
        match self {
            Self::Mobile(_) => Field::SmsCode,
            Self::Email(_) => Field::EmailCode,
        }
    }
}

/// Losing a race for a unique value to another registration: the form's
/// field holding that value is taken, as the check before would have said.
fn registration_conflict(error: RepoError) -> AppError {
    match error {
        RepoError::Conflict(UniqueKey::Username) => AppError::field(Field::Username, Problem::Taken),
        RepoError::Conflict(UniqueKey::Mobile) => AppError::field(Field::Mobile, Problem::Taken),
        RepoError::Conflict(UniqueKey::Email) => AppError::field(Field::Email, Problem::Taken),
        other => other.into(),
    }
}

/// Opens an account for a person who proves they hold the mobile or email.
pub struct RegisterUser {
    users: Arc<dyn UserRepository>,
    names: NameAnswers,
    registrations: Arc<dyn RegistrationStore>,
    codes: Arc<OneTimeCodes>,
    hasher: Arc<dyn PasswordHasher>,
    sessions: Arc<SessionIssuer>,
    clock: Arc<dyn Clock>,
}

impl RegisterUser {
    pub fn new(
        users: Arc<dyn UserRepository>,
        names: NameAnswers,
        registrations: Arc<dyn RegistrationStore>,
        codes: Arc<OneTimeCodes>,
        hasher: Arc<dyn PasswordHasher>,
        sessions: Arc<SessionIssuer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { users, names, registrations, codes, hasher, sessions, clock }
    }

    /// `origin` is where the person registers from: their first session's.
    pub async fn execute(&self, request: RegisterUserRequest, origin: SignInOrigin) -> Result<Registered, AppError> {
        let mut errors = FieldErrors::default();
        let username = errors.check(Field::Username, Username::parse(&request.username), Problem::Username);
        let password = errors.check(Field::Password, Password::parse(&request.password), Problem::Password);
        if password.is_some() && request.password != request.password2 {
            errors.push(Field::Password2, Problem::PasswordsDiffer);
        }
        let by_email = request.mobile.trim().is_empty() && !request.email.trim().is_empty();
        let (contact, code) = if by_email {
            let email = errors.check(Field::Email, Email::parse(&request.email), Problem::Email);
            let code =
                errors.check(Field::EmailCode, VerificationCode::parse(&request.email_code), Problem::CodeFormat);
            (email.map(Contact::Email), code)
        } else {
            let mobile = errors.check(Field::Mobile, Mobile::parse(&request.mobile), Problem::Mobile);
            let code = errors.check(Field::SmsCode, VerificationCode::parse(&request.sms_code), Problem::CodeFormat);
            (mobile.map(Contact::Mobile), code)
        };
        if !request.allow {
            errors.push(Field::Allow, Problem::AgreementRequired);
        }
        let (Some(username), Some(password), Some(contact), Some(code)) = (username, password, contact, code) else {
            return Err(errors.into_error());
        };
        errors.into_result()?;

        // Tell a person about a taken name before their code is spent. Each
        // such answer (a free name's too, as it differs from a taken one's)
        // is one of the client's availability checks: past that allowance the
        // code is checked first, and only its holder learns of a taken name,
        // from the unique constraints, which also decide when two requests race.
        if self.names.take(origin.ip).await? == RateDecision::Allowed {
            self.refuse_taken(&username, &contact).await?;
        }

        self.codes.verify(&contact.recipient(), &code, contact.code_field()).await?;

        // Hashing comes after the code check so that guessing codes costs no argon2 work.
        let password_hash = self.hasher.hash(password.expose()).await?;
        // An email registered with its code is proven, as a verification link would prove it.
        let (mobile, email, email_active) = match contact {
            Contact::Mobile(mobile) => (Some(mobile), None, false),
            Contact::Email(email) => (None, Some(email), true),
        };
        let user = NewUser {
            username: username.to_string(),
            mobile,
            email,
            email_active,
            password_hash: Some(password_hash),
            date_joined: self.clock.now(),
        };
        // The account and its session are stored together: a registration
        // that fails leaves no account to find taken at the next try.
        let registration = NewRegistration { user, refresh_lifetime: self.sessions.policy().refresh_lifetime, origin };
        let stored = self.registrations.register(&registration).await.map_err(registration_conflict)?;
        let access = self.sessions.tokens().issue(&stored.user, Some(&stored.session))?;
        Ok(Registered { user: stored.user, session: Session { access, refresh_token: stored.refresh_token } })
    }

    /// Every field of the form whose name an account already uses, as one error.
    async fn refuse_taken(&self, username: &Username, contact: &Contact) -> Result<(), AppError> {
        let mut taken = FieldErrors::default();
        if self.users.username_exists(username.as_str()).await? {
            taken.push(Field::Username, Problem::Taken);
        }
        let contact_taken = match contact {
            Contact::Mobile(mobile) => self.users.mobile_exists(mobile).await?.then_some(Field::Mobile),
            Contact::Email(email) => self.users.email_exists(email).await?.then_some(Field::Email),
        };
        if let Some(field) = contact_taken {
            taken.push(field, Problem::Taken);
        }
        taken.into_result()
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use chrono::Utc;
    use domain::{PasswordError, UserId, UsernameError};

    use super::*;
    use crate::SessionPolicy;
    use crate::ports::{
        CacheError, CodeCheck, IssuedToken, MockClock, MockPasswordHasher, MockRateLimiter, MockRefreshTokenStore,
        MockRegistrationStore, MockTokenIssuer, MockUserRepository, MockVerificationCodeStore, Registration, RepoError,
    };
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;
    use crate::{AvailabilityPolicy, Backend};

    fn origin() -> SignInOrigin {
        SignInOrigin::new(IP, "Chrome on Android")
    }

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

    struct Ports {
        users: MockUserRepository,
        limiter: MockRateLimiter,
        codes: MockVerificationCodeStore,
        hasher: MockPasswordHasher,
        tokens: MockTokenIssuer,
        registrations: MockRegistrationStore,
        clock: MockClock,
    }

    impl Ports {
        fn new() -> Self {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            Self {
                users: MockUserRepository::new(),
                limiter: MockRateLimiter::new(),
                codes: MockVerificationCodeStore::new(),
                hasher: MockPasswordHasher::new(),
                tokens: MockTokenIssuer::new(),
                registrations: MockRegistrationStore::new(),
                clock,
            }
        }

        /// The client may still be told whether names are taken (one of its availability checks).
        fn allowed(self) -> Self {
            self.allowance(RateDecision::Allowed)
        }

        fn allowance(mut self, decision: RateDecision) -> Self {
            self.limiter
                .expect_acquire()
                .withf(|limits| limits.len() == 1 && limits[0].key == "availability:ip:10.0.0.9" && limits[0].max == 60)
                .times(1)
                .returning(move |_| Ok(decision));
            self
        }

        fn nothing_taken(self) -> Self {
            let mut ports = self.allowed();
            ports.users.expect_username_exists().returning(|_| Ok(false));
            ports.users.expect_mobile_exists().returning(|_| Ok(false));
            ports
        }

        fn code_check(mut self, outcome: CodeCheck) -> Self {
            self.codes
                .expect_check()
                .withf(|key, code, max| {
                    key.target == "13800138000"
                        && key.channel == Channel::Sms
                        && key.purpose == CodePurpose::Register
                        && code.expose() == "123456"
                        && *max == 5
                })
                .times(1)
                .returning(move |_, _, _| Ok(outcome));
            self
        }

        fn hashing(mut self) -> Self {
            self.hasher.expect_hash().returning(|_| Ok("$argon2id$hash".into()));
            self
        }

        fn use_case(self) -> RegisterUser {
            let refresh = MockRefreshTokenStore::new();
            RegisterUser::new(
                Arc::new(self.users),
                NameAnswers::new(Arc::new(self.limiter), AvailabilityPolicy::default()),
                Arc::new(self.registrations),
                CodePorts { codes: self.codes, ..CodePorts::default() }.build(),
                Arc::new(self.hasher),
                Arc::new(SessionIssuer::new(Arc::new(self.tokens), Arc::new(refresh), SessionPolicy::default())),
                Arc::new(self.clock),
            )
        }
    }

    fn request() -> RegisterUserRequest {
        RegisterUserRequest {
            username: "alice".into(),
            password: "correct-horse".into(),
            password2: "correct-horse".into(),
            mobile: "+86 13800138000".into(),
            sms_code: "123456".into(),
            allow: true,
            ..RegisterUserRequest::default()
        }
    }

    fn email_request() -> RegisterUserRequest {
        RegisterUserRequest {
            mobile: String::new(),
            sms_code: String::new(),
            email: "Alice@Example.com".into(),
            email_code: "654321".into(),
            ..request()
        }
    }

    fn problems(result: Result<Registered, AppError>) -> Vec<(Field, Problem)> {
        match result {
            Err(AppError::Validation(errors)) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_right_code_creates_the_user_with_a_hashed_password_and_a_token() {
        let mut ports = Ports::new().nothing_taken().code_check(CodeCheck::Accepted).hashing();
        ports
            .registrations
            .expect_register()
            .withf(|r| {
                let u = &r.user;
                u.username == "alice"
                    && u.mobile.as_ref().map(domain::Mobile::as_str) == Some("13800138000")
                    && u.password_hash.as_deref() == Some("$argon2id$hash")
            })
            .times(1)
            .returning(|_| {
                Ok(Registration { user: stored_user(), refresh_token: "refresh".into(), session: "fam".into() })
            });
        ports.tokens.expect_issue().withf(|u, session| u.id == UserId(1) && *session == Some("fam")).returning(
            |_, _| Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400, session_id: "session".into() }),
        );
        let registered = ports.use_case().execute(request(), origin()).await.unwrap();
        assert_eq!(registered.user.id, UserId(1));
        assert_eq!(registered.session.access.token, "jwt");
        assert_eq!(registered.session.refresh_token, "refresh");
    }

    #[tokio::test]
    async fn every_malformed_field_is_reported_at_once() {
        let got = Ports::new()
            .use_case()
            .execute(
                RegisterUserRequest {
                    username: "ab".into(),
                    password: "short".into(),
                    password2: "other".into(),
                    mobile: String::new(),
                    sms_code: "12".into(),
                    allow: false,
                    ..RegisterUserRequest::default()
                },
                origin(),
            )
            .await;
        assert_eq!(
            problems(got),
            [
                (Field::Username, Problem::Username(UsernameError::Length)),
                (Field::Password, Problem::Password(PasswordError::Length)),
                (Field::Mobile, Problem::Mobile(domain::MobileError::Empty)),
                (Field::SmsCode, Problem::CodeFormat(domain::CodeError::Format)),
                (Field::Allow, Problem::AgreementRequired),
            ]
        );
    }

    #[tokio::test]
    async fn mismatched_passwords_are_refused() {
        let got = Ports::new()
            .use_case()
            .execute(RegisterUserRequest { password2: "something-else".into(), ..request() }, origin())
            .await;
        assert_eq!(problems(got), [(Field::Password2, Problem::PasswordsDiffer)]);
    }

    #[tokio::test]
    async fn the_agreement_must_be_accepted() {
        let got = Ports::new().use_case().execute(RegisterUserRequest { allow: false, ..request() }, origin()).await;
        assert_eq!(problems(got), [(Field::Allow, Problem::AgreementRequired)]);
    }

    #[tokio::test]
    async fn taken_username_and_mobile_are_reported_before_the_code_is_spent_as_one_availability_check() {
        let mut ports = Ports::new().allowed();
        ports.users.expect_username_exists().returning(|_| Ok(true));
        ports.users.expect_mobile_exists().returning(|_| Ok(true));
        let got = ports.use_case().execute(request(), origin()).await;
        assert_eq!(problems(got), [(Field::Username, Problem::Taken), (Field::Mobile, Problem::Taken)]);
    }

    #[tokio::test]
    async fn past_the_client_s_availability_checks_a_wrong_code_answers_alike_for_taken_and_free_names() {
        // No lookup expected: asking whether a name is taken would fail the test.
        let got = Ports::new()
            .allowance(RateDecision::Limited { retry_after: Duration::from_secs(30) })
            .code_check(CodeCheck::Rejected { attempts_left: 4 })
            .use_case()
            .execute(request(), origin())
            .await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeWrong { attempts_left: 4 })]);
    }

    #[tokio::test]
    async fn past_the_client_s_availability_checks_only_a_right_code_learns_of_a_taken_name() {
        let mut ports = Ports::new()
            .allowance(RateDecision::Limited { retry_after: Duration::from_secs(30) })
            .code_check(CodeCheck::Accepted)
            .hashing();
        ports.registrations.expect_register().returning(|_| Err(RepoError::Conflict(UniqueKey::Mobile)));
        let got = ports.use_case().execute(request(), origin()).await;
        assert_eq!(problems(got), [(Field::Mobile, Problem::Taken)]);
    }

    #[tokio::test]
    async fn a_limiter_outage_is_unavailable_before_any_lookup() {
        let mut ports = Ports::new();
        ports.limiter.expect_acquire().returning(|_| Err(CacheError::Unavailable("down".into())));
        assert_eq!(
            ports.use_case().execute(request(), origin()).await.err(),
            Some(AppError::Unavailable(Backend::Cache))
        );
    }

    #[tokio::test]
    async fn a_wrong_code_is_refused_with_the_tries_left_and_nothing_is_hashed() {
        let got = Ports::new()
            .nothing_taken()
            .code_check(CodeCheck::Rejected { attempts_left: 3 })
            .use_case()
            .execute(request(), origin())
            .await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeWrong { attempts_left: 3 })]);
    }

    #[tokio::test]
    async fn an_expired_code_is_refused() {
        let got =
            Ports::new().nothing_taken().code_check(CodeCheck::Missing).use_case().execute(request(), origin()).await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeExpired)]);
    }

    #[tokio::test]
    async fn a_burned_code_is_refused() {
        let got =
            Ports::new().nothing_taken().code_check(CodeCheck::Exhausted).use_case().execute(request(), origin()).await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeExhausted)]);
    }

    #[tokio::test]
    async fn losing_a_race_for_the_username_is_a_field_error() {
        let mut ports = Ports::new().nothing_taken().code_check(CodeCheck::Accepted).hashing();
        ports.registrations.expect_register().returning(|_| Err(RepoError::Conflict(UniqueKey::Username)));
        let got = ports.use_case().execute(request(), origin()).await;
        assert_eq!(problems(got), [(Field::Username, Problem::Taken)]);
    }

    #[tokio::test]
    async fn losing_a_race_for_the_mobile_is_a_field_error() {
        let mut ports = Ports::new().nothing_taken().code_check(CodeCheck::Accepted).hashing();
        ports.registrations.expect_register().returning(|_| Err(RepoError::Conflict(UniqueKey::Mobile)));
        let got = ports.use_case().execute(request(), origin()).await;
        assert_eq!(problems(got), [(Field::Mobile, Problem::Taken)]);
    }

    #[tokio::test]
    async fn a_registration_that_cannot_be_stored_is_unavailable_and_issues_no_token() {
        let mut ports = Ports::new().nothing_taken().code_check(CodeCheck::Accepted).hashing();
        ports.registrations.expect_register().returning(|_| Err(RepoError::Unavailable("down".into())));
        ports.tokens.expect_issue().never();
        let got = ports.use_case().execute(request(), origin()).await;
        assert_eq!(got.err(), Some(AppError::Unavailable(Backend::Database)));
    }

    #[tokio::test]
    async fn a_cache_outage_is_unavailable() {
        let mut ports = Ports::new().nothing_taken();
        ports.codes.expect_check().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        assert_eq!(
            ports.use_case().execute(request(), origin()).await.err(),
            Some(AppError::Unavailable(Backend::Cache))
        );
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut ports = Ports::new().allowed();
        ports.users.expect_username_exists().returning(|_| Err(RepoError::Unavailable("down".into())));
        assert_eq!(
            ports.use_case().execute(request(), origin()).await.err(),
            Some(AppError::Unavailable(Backend::Database))
        );
    }

    #[tokio::test]
    async fn a_right_email_code_creates_the_user_with_that_email() {
        let mut ports = Ports::new().allowed();
        ports.users.expect_username_exists().returning(|_| Ok(false));
        ports.users.expect_email_exists().withf(|e| e.as_str() == "alice@example.com").returning(|_| Ok(false));
        ports
            .codes
            .expect_check()
            .withf(|key, code, _| {
                key.channel == Channel::Email
                    && key.purpose == CodePurpose::Register
                    && key.target == "alice@example.com"
                    && code.expose() == "654321"
            })
            .times(1)
            .returning(|_, _, _| Ok(CodeCheck::Accepted));
        let mut ports = ports.hashing();
        ports
            .registrations
            .expect_register()
            .withf(|r| {
                let u = &r.user;
                u.mobile.is_none()
                    && u.email.as_ref().map(domain::Email::as_str) == Some("alice@example.com")
                    && u.email_active
            })
            .times(1)
            .returning(|_| {
                Ok(Registration { user: stored_user(), refresh_token: "refresh".into(), session: "fam".into() })
            });
        ports.tokens.expect_issue().returning(|_, _| {
            Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400, session_id: "session".into() })
        });
        assert!(ports.use_case().execute(email_request(), origin()).await.is_ok());
    }

    #[tokio::test]
    async fn email_registration_reports_its_own_fields() {
        let got = Ports::new()
            .use_case()
            .execute(
                RegisterUserRequest { email: "not-an-email".into(), email_code: "1".into(), ..email_request() },
                origin(),
            )
            .await;
        assert_eq!(
            problems(got),
            [
                (Field::Email, Problem::Email(domain::EmailError::Format)),
                (Field::EmailCode, Problem::CodeFormat(domain::CodeError::Format)),
            ]
        );
    }

    #[tokio::test]
    async fn a_taken_email_is_reported_before_the_code_is_spent() {
        let mut ports = Ports::new().allowed();
        ports.users.expect_username_exists().returning(|_| Ok(false));
        ports.users.expect_email_exists().returning(|_| Ok(true));
        let got = ports.use_case().execute(email_request(), origin()).await;
        assert_eq!(problems(got), [(Field::Email, Problem::Taken)]);
    }

    #[tokio::test]
    async fn a_wrong_email_code_is_an_error_on_email_code() {
        let mut ports = Ports::new().allowed();
        ports.users.expect_username_exists().returning(|_| Ok(false));
        ports.users.expect_email_exists().returning(|_| Ok(false));
        ports.codes.expect_check().returning(|_, _, _| Ok(CodeCheck::Rejected { attempts_left: 4 }));
        let got = ports.use_case().execute(email_request(), origin()).await;
        assert_eq!(problems(got), [(Field::EmailCode, Problem::CodeWrong { attempts_left: 4 })]);
    }

    #[tokio::test]
    async fn losing_a_race_for_the_email_is_a_field_error() {
        let mut ports = Ports::new().allowed();
        ports.users.expect_username_exists().returning(|_| Ok(false));
        ports.users.expect_email_exists().returning(|_| Ok(false));
        ports.codes.expect_check().returning(|_, _, _| Ok(CodeCheck::Accepted));
        let mut ports = ports.hashing();
        ports.registrations.expect_register().returning(|_| Err(RepoError::Conflict(UniqueKey::Email)));
        let got = ports.use_case().execute(email_request(), origin()).await;
        assert_eq!(problems(got), [(Field::Email, Problem::Taken)]);
    }
}
