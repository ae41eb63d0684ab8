use async_trait::async_trait;
use domain::UserId;

use super::{RepoError, TakenNameRow};

/// One committed change to an account, as the log holds it: whatever the
/// memory of an instance holds of the account is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub user: UserId,
    /// The account's unique names as they are now (for the taken-names
    /// filter); `None` when the account is gone.
    pub names: Option<TakenNameRow>,
}

/// The database's log of account changes: a row written by triggers in the
/// transaction of every change an instance may hold in memory (the account's
/// row but `last_login`, and every logged-out token), so it holds exactly the
/// changes that committed, whether or not they were announced.
#[async_trait]
pub trait AccountChangeLog: Send {
    /// Positions the reader at the end of the log: what came before concerns
    /// nobody's memory yet.
    async fn open(&mut self) -> Result<(), RepoError>;
    /// Every change committed since the previous read (since [`open`](Self::open)
    /// at first), each once, in the order they were logged. A change committed
    /// before this call began is in its answer or an earlier one.
    async fn read(&mut self) -> Result<Vec<AccountChange>, RepoError>;
}
