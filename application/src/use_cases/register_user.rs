use std::sync::Arc;

use domain::{Mobile, NewUser, Password, SmsCode, User, Username};

use crate::ports::{
    Channel, Clock, CodeCheck, CodeKey, CodePurpose, PasswordHasher, UserRepository, VerificationCodeStore,
};
use crate::{AppError, Field, FieldErrors, Problem, Session, SessionIssuer, VerificationPolicy};

/// The registration form, as typed.
pub struct RegisterUserRequest {
    pub username: String,
    pub password: String,
    pub password2: String,
    pub mobile: String,
    pub sms_code: String,
    pub allow: bool,
}

impl std::fmt::Debug for RegisterUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterUserRequest")
            .field("username", &self.username)
            .field("mobile", &self.mobile)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct Registered {
    pub user: User,
    pub session: Session,
}

/// Opens an account for a person who proves they hold the mobile.
pub struct RegisterUser {
    users: Arc<dyn UserRepository>,
    codes: Arc<dyn VerificationCodeStore>,
    hasher: Arc<dyn PasswordHasher>,
    sessions: Arc<SessionIssuer>,
    clock: Arc<dyn Clock>,
    policy: VerificationPolicy,
}

impl RegisterUser {
    pub fn new(
        users: Arc<dyn UserRepository>,
        codes: Arc<dyn VerificationCodeStore>,
        hasher: Arc<dyn PasswordHasher>,
        sessions: Arc<SessionIssuer>,
        clock: Arc<dyn Clock>,
        policy: VerificationPolicy,
    ) -> Self {
        Self { users, codes, hasher, sessions, clock, policy }
    }

    pub async fn execute(&self, request: RegisterUserRequest) -> Result<Registered, AppError> {
        let mut errors = FieldErrors::default();
        let username = errors.check(Field::Username, Username::parse(&request.username), Problem::Username);
        let password = errors.check(Field::Password, Password::parse(&request.password), Problem::Password);
        if password.is_some() && request.password != request.password2 {
            errors.push(Field::Password2, Problem::PasswordsDiffer);
        }
        let mobile = errors.check(Field::Mobile, Mobile::parse(&request.mobile), Problem::Mobile);
        let code = errors.check(Field::SmsCode, SmsCode::parse(&request.sms_code), Problem::CodeFormat);
        if !request.allow {
            errors.push(Field::Allow, Problem::AgreementRequired);
        }
        let (Some(username), Some(password), Some(mobile), Some(code)) = (username, password, mobile, code) else {
            return Err(errors.into_error());
        };
        errors.into_result()?;

        // Tell a person about a taken name before their code is spent; the
        // unique constraints still decide when two requests race.
        let mut taken = FieldErrors::default();
        if self.users.username_exists(username.as_str()).await? {
            taken.push(Field::Username, Problem::Taken);
        }
        if self.users.mobile_exists(&mobile).await? {
            taken.push(Field::Mobile, Problem::Taken);
        }
        taken.into_result()?;

        let key = CodeKey { channel: Channel::Sms, purpose: CodePurpose::Register, target: mobile.to_string() };
        let problem = match self.codes.check(&key, &code, self.policy.max_attempts).await? {
            CodeCheck::Accepted => None,
            CodeCheck::Rejected { attempts_left } => Some(Problem::CodeWrong { attempts_left }),
            CodeCheck::Exhausted => Some(Problem::CodeExhausted),
            CodeCheck::Missing => Some(Problem::CodeExpired),
        };
        if let Some(problem) = problem {
            return Err(AppError::field(Field::SmsCode, problem));
        }

        // Hashing comes after the code check so that guessing codes costs no argon2 work.
        let password_hash = self.hasher.hash(password.expose()).await?;
        let user = self
            .users
            .insert(NewUser {
                username: username.to_string(),
                mobile: Some(mobile),
                email: None,
                password_hash: Some(password_hash),
                date_joined: self.clock.now(),
            })
            .await?;
        let session = self.sessions.start(&user).await?;
        Ok(Registered { user, session })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::{PasswordError, UserId, UsernameError};

    use super::*;
    use crate::Backend;
    use crate::SessionPolicy;
    use crate::ports::{
        CacheError, IssuedToken, MockClock, MockPasswordHasher, MockRefreshTokenStore, MockTokenIssuer,
        MockUserRepository, MockVerificationCodeStore, RepoError,
    };
    use crate::use_cases::log_in::tests::stored_user;

    struct Ports {
        users: MockUserRepository,
        codes: MockVerificationCodeStore,
        hasher: MockPasswordHasher,
        tokens: MockTokenIssuer,
        clock: MockClock,
    }

    impl Ports {
        fn new() -> Self {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            Self {
                users: MockUserRepository::new(),
                codes: MockVerificationCodeStore::new(),
                hasher: MockPasswordHasher::new(),
                tokens: MockTokenIssuer::new(),
                clock,
            }
        }

        fn nothing_taken(mut self) -> Self {
            self.users.expect_username_exists().returning(|_| Ok(false));
            self.users.expect_mobile_exists().returning(|_| Ok(false));
            self
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
            let mut refresh = MockRefreshTokenStore::new();
            refresh.expect_create().returning(|_, _| Ok("refresh".into()));
            RegisterUser::new(
                Arc::new(self.users),
                Arc::new(self.codes),
                Arc::new(self.hasher),
                Arc::new(SessionIssuer::new(Arc::new(self.tokens), Arc::new(refresh), SessionPolicy::default())),
                Arc::new(self.clock),
                VerificationPolicy::default(),
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
            .users
            .expect_insert()
            .withf(|u| {
                u.username == "alice"
                    && u.mobile.as_ref().map(|m| m.as_str()) == Some("13800138000")
                    && u.password_hash.as_deref() == Some("$argon2id$hash")
            })
            .times(1)
            .returning(|_| Ok(stored_user()));
        ports
            .tokens
            .expect_issue()
            .withf(|u| u.id == UserId(1))
            .returning(|_| Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400 }));
        let registered = ports.use_case().execute(request()).await.unwrap();
        assert_eq!(registered.user.id, UserId(1));
        assert_eq!(registered.session.access.token, "jwt");
        assert_eq!(registered.session.refresh_token, "refresh");
    }

    #[tokio::test]
    async fn every_malformed_field_is_reported_at_once() {
        let got = Ports::new()
            .use_case()
            .execute(RegisterUserRequest {
                username: "ab".into(),
                password: "short".into(),
                password2: "other".into(),
                mobile: "".into(),
                sms_code: "12".into(),
                allow: false,
            })
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
            .execute(RegisterUserRequest { password2: "something-else".into(), ..request() })
            .await;
        assert_eq!(problems(got), [(Field::Password2, Problem::PasswordsDiffer)]);
    }

    #[tokio::test]
    async fn the_agreement_must_be_accepted() {
        let got = Ports::new().use_case().execute(RegisterUserRequest { allow: false, ..request() }).await;
        assert_eq!(problems(got), [(Field::Allow, Problem::AgreementRequired)]);
    }

    #[tokio::test]
    async fn taken_username_and_mobile_are_reported_before_the_code_is_spent() {
        let mut ports = Ports::new();
        ports.users.expect_username_exists().returning(|_| Ok(true));
        ports.users.expect_mobile_exists().returning(|_| Ok(true));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(problems(got), [(Field::Username, Problem::Taken), (Field::Mobile, Problem::Taken)]);
    }

    #[tokio::test]
    async fn a_wrong_code_is_refused_with_the_tries_left_and_nothing_is_hashed() {
        let got = Ports::new()
            .nothing_taken()
            .code_check(CodeCheck::Rejected { attempts_left: 3 })
            .use_case()
            .execute(request())
            .await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeWrong { attempts_left: 3 })]);
    }

    #[tokio::test]
    async fn an_expired_code_is_refused() {
        let got = Ports::new().nothing_taken().code_check(CodeCheck::Missing).use_case().execute(request()).await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeExpired)]);
    }

    #[tokio::test]
    async fn a_burned_code_is_refused() {
        let got = Ports::new().nothing_taken().code_check(CodeCheck::Exhausted).use_case().execute(request()).await;
        assert_eq!(problems(got), [(Field::SmsCode, Problem::CodeExhausted)]);
    }

    #[tokio::test]
    async fn losing_a_race_for_the_username_is_a_field_error() {
        let mut ports = Ports::new().nothing_taken().code_check(CodeCheck::Accepted).hashing();
        ports.users.expect_insert().returning(|_| Err(RepoError::Conflict(Field::Username)));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(problems(got), [(Field::Username, Problem::Taken)]);
    }

    #[tokio::test]
    async fn a_cache_outage_is_unavailable() {
        let mut ports = Ports::new().nothing_taken();
        ports.codes.expect_check().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        assert_eq!(ports.use_case().execute(request()).await.err(), Some(AppError::Unavailable(Backend::Cache)));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut ports = Ports::new();
        ports.users.expect_username_exists().returning(|_| Err(RepoError::Unavailable("down".into())));
        assert_eq!(ports.use_case().execute(request()).await.err(), Some(AppError::Unavailable(Backend::Database)));
    }
}
