use std::sync::Arc;

use domain::{LoginIdentifier, User};

use crate::ports::{IssuedToken, PasswordHasher, TokenIssuer, UserRepository};
use crate::{AppError, Field, FieldErrors, Problem};

/// Longest password accepted at login; longer input cannot match (new
/// passwords are at most 20 characters) and only costs hashing time.
const MAX_PASSWORD_BYTES: usize = 1024;

pub struct LogInRequest {
    /// A username, mobile or email.
    pub account: String,
    pub password: String,
}

#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    pub token: IssuedToken,
}

/// Password login by username, mobile or email.
///
/// Every failure after the form check looks the same, in body and in time: an
/// unknown account still pays one password verification against a dummy hash.
pub struct LogIn {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenIssuer>,
}

impl LogIn {
    pub fn new(users: Arc<dyn UserRepository>, hasher: Arc<dyn PasswordHasher>, tokens: Arc<dyn TokenIssuer>) -> Self {
        Self { users, hasher, tokens }
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

        let user = match LoginIdentifier::parse(&request.account) {
            Some(identifier) if request.password.len() <= MAX_PASSWORD_BYTES => {
                self.users.find_by_login(&identifier).await?
            }
            _ => None,
        };
        let stored_hash = user.as_ref().and_then(|user| user.password_hash.clone());
        let matches = self.hasher.verify(&request.password, stored_hash).await?;
        let user = match user {
            Some(user) if matches => user,
            _ => return Err(AppError::InvalidCredentials),
        };
        let token = self.tokens.issue(&user)?;
        Ok(LoggedIn { user, token })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;
    use domain::{Mobile, Profile, UserId};

    use super::*;
    use crate::Backend;
    use crate::ports::{HashError, MockPasswordHasher, MockTokenIssuer, MockUserRepository, RepoError};

    pub(crate) fn stored_user() -> User {
        User {
            id: UserId(1),
            username: "alice".into(),
            mobile: Some(Mobile::parse("13800138000").unwrap()),
            email: None,
            email_active: false,
            password_hash: Some("$argon2id$stored".into()),
            profile: Profile::default(),
            date_joined: Utc::now(),
            last_login: None,
            token_version: 0,
        }
    }

    fn tokens() -> MockTokenIssuer {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_issue().returning(|_| Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400 }));
        tokens
    }

    fn log_in(users: MockUserRepository, hasher: MockPasswordHasher, tokens: MockTokenIssuer) -> LogIn {
        LogIn::new(Arc::new(users), Arc::new(hasher), Arc::new(tokens))
    }

    fn request(account: &str, password: &str) -> LogInRequest {
        LogInRequest { account: account.into(), password: password.into() }
    }

    #[tokio::test]
    async fn the_right_password_logs_in_by_username_mobile_or_email() {
        for (account, expected) in [
            ("alice", LoginIdentifier::Username("alice".into())),
            ("+86 138 0013 8000", LoginIdentifier::Mobile(Mobile::parse("13800138000").unwrap())),
            ("Alice@Example.com", LoginIdentifier::Email(domain::Email::parse("alice@example.com").unwrap())),
        ] {
            let mut users = MockUserRepository::new();
            users.expect_find_by_login().withf(move |id| *id == expected).returning(|_| Ok(Some(stored_user())));
            let mut hasher = MockPasswordHasher::new();
            hasher
                .expect_verify()
                .withf(|candidate, stored| {
                    candidate == "right-password" && stored.as_deref() == Some("$argon2id$stored")
                })
                .returning(|_, _| Ok(true));
            let logged_in = log_in(users, hasher, tokens()).execute(request(account, "right-password")).await.unwrap();
            assert_eq!(logged_in.user.id, UserId(1));
            assert_eq!(logged_in.token.token, "jwt");
        }
    }

    #[tokio::test]
    async fn a_wrong_password_is_invalid_credentials() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(|_, _| Ok(false));
        let got = log_in(users, hasher, MockTokenIssuer::new()).execute(request("alice", "wrong-password")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn an_unknown_account_pays_a_dummy_verification_and_gets_the_same_error() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(None));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().withf(|_, stored| stored.is_none()).times(1).returning(|_, _| Ok(false));
        let got = log_in(users, hasher, MockTokenIssuer::new()).execute(request("nobody", "whatever-pw")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn an_account_key_that_cannot_exist_also_pays_the_verification() {
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().withf(|_, stored| stored.is_none()).times(2).returning(|_, _| Ok(false));
        let login = log_in(MockUserRepository::new(), hasher, MockTokenIssuer::new());
        assert_eq!(login.execute(request("a@b@c", "whatever-pw")).await.err(), Some(AppError::InvalidCredentials));
        let huge = "p".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(login.execute(request("alice", &huge)).await.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn an_account_without_a_usable_password_cannot_log_in_by_password() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(Some(User { password_hash: None, ..stored_user() })));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().withf(|_, stored| stored.is_none()).returning(|_, _| Ok(false));
        let got = log_in(users, hasher, MockTokenIssuer::new()).execute(request("alice", "anything-1")).await;
        assert_eq!(got.err(), Some(AppError::InvalidCredentials));
    }

    #[tokio::test]
    async fn empty_fields_are_required() {
        let got = log_in(MockUserRepository::new(), MockPasswordHasher::new(), MockTokenIssuer::new())
            .execute(request(" ", ""))
            .await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(
            errors.iter().map(|e| (e.field, e.problem)).collect::<Vec<_>>(),
            [(Field::Username, Problem::Required), (Field::Password, Problem::Required)]
        );
    }

    #[tokio::test]
    async fn backing_failures_surface_as_such() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = log_in(users, MockPasswordHasher::new(), MockTokenIssuer::new())
            .execute(request("alice", "pw-pw-pw-pw"))
            .await;
        assert_eq!(got.err(), Some(AppError::Unavailable(Backend::Database)));

        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(|_, _| Err(HashError::Failed("pool closed".into())));
        let got = log_in(users, hasher, MockTokenIssuer::new()).execute(request("alice", "pw-pw-pw-pw")).await;
        assert!(matches!(got, Err(AppError::Internal(_))));
    }
}
