use std::time::Duration;

use async_trait::async_trait;
use domain::{NewUser, User};

use super::{RepoError, SignInOrigin};

/// A new account and the first session of the person who opened it, which
/// lives for `refresh_lifetime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    pub user: NewUser,
    pub refresh_lifetime: Duration,
    /// Where the first session was opened from.
    pub origin: SignInOrigin,
}

/// The account as stored and its session's refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct Registration {
    pub user: User,
    pub refresh_token: String,
    /// The session's id (its refresh-token family), for its access token.
    pub session: String,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("user", &self.user)
            .field("refresh_token", &"***")
            .field("session", &self.session)
            .finish()
    }
}

/// Where accounts are opened, in one transaction with their first session.
/// All or none: a registration that fails leaves no account, so the person's
/// next try does not find its own username taken.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RegistrationStore: Send + Sync {
    /// `RepoError::Conflict` names the unique key another account holds.
    async fn register(&self, registration: &NewRegistration) -> Result<Registration, RepoError>;
}
