use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;

use super::RepoError;

/// What the store says about a user's access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenStanding {
    /// The user's current token version; tokens carrying an older `ver` are void.
    pub version: i64,
    /// Whether this token's id was revoked (logout).
    pub revoked: bool,
}

/// Revoked access tokens (by `jti`, until they would expire anyway) and the
/// per-user token version, answered together in one lookup per request.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccessTokenRevocations: Send + Sync {
    /// `None` when the user no longer exists.
    async fn standing(&self, user: UserId, token_id: &str) -> Result<Option<TokenStanding>, RepoError>;
    async fn revoke(&self, user: UserId, token_id: &str, until: DateTime<Utc>) -> Result<(), RepoError>;
    /// Voids every token issued to the user so far; returns the new version.
    async fn revoke_all(&self, user: UserId) -> Result<i64, RepoError>;
}
