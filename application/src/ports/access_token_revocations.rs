use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{User, UserId};

use super::RepoError;

/// What the store says about a user's access token, with the account as it
/// is now: read together, so an authenticated request costs one lookup and
/// `GET /user/` needs no second one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStanding {
    /// The account; tokens carrying a `ver` older than its `token_version` are void.
    pub user: User,
    /// Whether this token's id, or its session, was revoked (logout).
    pub revoked: bool,
}

/// Revoked access tokens (by `jti`, until they would expire anyway) and the
/// per-user token version, answered together with the account in one lookup
/// per request.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
#[allow(clippy::ref_option_ref, reason = "mockall's generated matchers take `&Option<&str>`")]
pub trait AccessTokenRevocations: Send + Sync {
    /// `None` when the user no longer exists. May be answered from memory
    /// (within the bounds the account cache states).
    async fn standing<'a>(
        &self,
        user: UserId,
        token_id: &str,
        session: Option<&'a str>,
    ) -> Result<Option<TokenStanding>, RepoError>;
    /// Like [`standing`](Self::standing), but read from the store itself, never
    /// from memory: for requests that write.
    async fn current_standing<'a>(
        &self,
        user: UserId,
        token_id: &str,
        session: Option<&'a str>,
    ) -> Result<Option<TokenStanding>, RepoError> {
        self.standing(user, token_id, session).await
    }
    /// Revokes every access token of `session` issued so far, each of which
    /// expires by `until`.
    async fn revoke_session(&self, user: UserId, session: &str, until: DateTime<Utc>) -> Result<(), RepoError>;
    /// Revokes the token `token_id`, which expires at `until`. The revocation is kept until
    /// [`REVOCATION_RETENTION_MARGIN`](crate::REVOCATION_RETENTION_MARGIN) after that.
    async fn revoke(&self, user: UserId, token_id: &str, until: DateTime<Utc>) -> Result<(), RepoError>;
    /// Voids every token issued to the user so far; returns the new version.
    async fn revoke_all(&self, user: UserId) -> Result<i64, RepoError>;
}
