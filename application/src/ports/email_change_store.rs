use async_trait::async_trait;
use domain::{Email, User, UserId};

use super::{AuditEntry, OutgoingMessage, RepoError};

/// A new email address for a user, with the mail that verifies it and the audit entry of the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChange {
    pub user: UserId,
    pub email: Email,
    pub mail: OutgoingMessage,
    pub audit: AuditEntry,
}

/// Where email changes are stored: the address as the pending one (the
/// verified address, if any, stays until the link is opened), the queued
/// verification mail and the audit entry go in one transaction, all or none,
/// so a failure leaves neither an address without its mail nor a mail without
/// its address.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EmailChangeStore: Send + Sync {
    /// The updated user; `None` when the user no longer exists. A pending
    /// address is unique to nobody, so another account's pending (or even
    /// verified) address is no conflict here: verifying decides.
    async fn change_email(&self, change: &EmailChange) -> Result<Option<User>, RepoError>;
}
