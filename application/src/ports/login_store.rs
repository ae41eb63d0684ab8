use std::time::Duration;

use async_trait::async_trait;
use domain::UserId;

use super::{AuditEntry, RepoError};

/// A successful login as stored: the account's `last_login` (the audit
/// entry's time), the audit entry, and the first refresh token of a new
/// session family that lives for `refresh_lifetime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogin {
    pub user: UserId,
    /// The new session's id (its refresh-token family), which its access token already carries.
    pub session: String,
    pub audit: AuditEntry,
    pub refresh_lifetime: Duration,
}

/// What storing a login gave: the new session's refresh token, and whether
/// the account was scheduled for deletion (its `delete_after` is cleared in
/// the same transaction: signing in within the cooling-off restores it, and an
/// `account_restored` audit entry says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogin {
    pub refresh_token: String,
    pub restored: bool,
}

/// Where a login is stored, in one transaction: `last_login`, the audit entry,
/// the new session, and the end of a scheduled deletion. All or none: a login that fails to be stored leaves
/// no `last_login` and no audit entry of a login the person never got, and no
/// session nobody holds.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginStore: Send + Sync {
    /// `None` (and nothing stored) when the account no longer exists: erased
    /// by the retention job while the person was signing in.
    async fn record_login(&self, login: &NewLogin) -> Result<Option<StoredLogin>, RepoError>;
}
