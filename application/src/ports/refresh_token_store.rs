use std::time::Duration;

use async_trait::async_trait;
use domain::UserId;

use super::{RepoError, SessionRecord, SignInOrigin};

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Accepted: `token` is its successor in the same family, and `version`
    /// the account's token version when it was exchanged, which the new access
    /// token must carry (a sign-out everywhere racing the exchange then voids
    /// both).
    Rotated { user: UserId, version: i64, family: String, token: String },
    /// Already rotated longer ago than the grace period: a copy is being
    /// replayed (or two clients share a session); the family must be revoked.
    Reused { user: UserId, family: String },
    /// Unknown, expired or revoked.
    Invalid,
}

/// Opaque refresh tokens (at least 256 random bits), kept only as hashes,
/// grouped in families: one family per login, each rotation a new member.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Starts a family for a new session and returns its first token.
    async fn create(&self, user: UserId, lifetime: Duration) -> Result<String, RepoError>;
    /// Exchanges `presented` for its successor, serialised with every
    /// revocation of the account's tokens (a revocation that answered before
    /// leaves no successor behind). A token rotated less than `grace` ago is
    /// exchanged again for the same successor (two tabs refreshing together:
    /// no new member); one rotated earlier is reported as reused.
    ///
    /// An exchange is a use of the session from `origin`: the successor
    /// records its address, and the exchange is audited as a sign-in by
    /// refresh, in the same transaction.
    async fn rotate(
        &self,
        presented: &str,
        grace: Duration,
        lifetime: Duration,
        origin: &SignInOrigin,
    ) -> Result<Rotation, RepoError>;
    /// The user's signed-in sessions (families with a current member neither
    /// revoked nor expired), the most recently used first, at most
    /// [`SESSIONS_LISTED`](crate::SESSIONS_LISTED).
    async fn sessions(&self, user: UserId) -> Result<Vec<SessionRecord>, RepoError>;
    /// Whether `session` is one of the user's signed-in sessions.
    async fn has_session(&self, user: UserId, session: &str) -> Result<bool, RepoError>;
    async fn revoke_family(&self, family: &str) -> Result<(), RepoError>;
    /// Revokes the family of `presented`, if it is one of `user`'s.
    async fn revoke_family_of(&self, user: UserId, presented: &str) -> Result<(), RepoError>;
    /// Revokes every family of the user.
    async fn revoke_user(&self, user: UserId) -> Result<(), RepoError>;
}
