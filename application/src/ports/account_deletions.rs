use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;

use super::RepoError;

/// An account erased by [`AccountDeletions::erase_next_due`]: who it was, the
/// pseudonym its audit rows carry from now on, and the mobile and addresses it
/// had, whose pending codes go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasedAccount {
    pub user: UserId,
    pub pseudonym: String,
    pub mobile: Option<String>,
    /// The verified and the pending address.
    pub emails: Vec<String>,
}

/// Accounts their owners asked to delete: scheduled, restored by a sign-in
/// (see [`super::LoginStore`]), and erased once the cooling-off has passed.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountDeletions: Send + Sync {
    /// Schedules the account's erasure at `delete_after` unless it is scheduled
    /// already; answers the time in force (the earlier request's when there was
    /// one), or `None` when the account no longer exists.
    async fn schedule(&self, user: UserId, delete_after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, RepoError>;

    /// Erases one account whose `delete_after` is before `now`, in one
    /// transaction: its audit rows lose their `user_id` and carry `pseudonym`
    /// as their subject instead, the account's row goes (its refresh tokens,
    /// revoked access tokens and OAuth bindings with it, so its username,
    /// mobile and email are free again), its settled messages go from the
    /// outbox, and an `account_erased` row with the pseudonym is written at
    /// `now`. `None` when no account is due. Several callers at once erase
    /// different accounts, each once.
    async fn erase_next_due(&self, now: DateTime<Utc>, pseudonym: &str) -> Result<Option<ErasedAccount>, RepoError>;
}
