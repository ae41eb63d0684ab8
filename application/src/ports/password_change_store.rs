use async_trait::async_trait;
use domain::UserId;

use super::{AuditEntry, RepoError};

/// A user's new password hash, with the audit entry of the change or reset.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword {
    pub user: UserId,
    pub hash: String,
    pub audit: AuditEntry,
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPassword")
            .field("user", &self.user)
            .field("hash", &"***")
            .field("audit", &self.audit)
            .finish()
    }
}

/// Where a new password is stored with everything it ends, in one
/// transaction: the hash, the user's refresh-token families (revoked), the
/// token version (bumped, so access and step tokens issued before die) and the
/// audit entry. All or none: a password never changes while the sessions of
/// the old one live on.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordChangeStore: Send + Sync {
    /// `false` when the user no longer exists (and nothing was stored).
    async fn replace_password(&self, change: &NewPassword) -> Result<bool, RepoError>;
}
