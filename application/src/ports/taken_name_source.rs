use async_trait::async_trait;

use super::RepoError;

/// The unique values of one account, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenNameRow {
    pub id: i64,
    pub username: String,
    pub mobile: Option<String>,
    /// The verified address only: a pending one is taken by nobody.
    pub email: Option<String>,
}

/// Where the taken names are read from when the filter is (re)built.
#[async_trait]
pub trait TakenNameSource: Send + Sync {
    /// How many accounts there are, to size the filter.
    async fn count(&self) -> Result<u64, RepoError>;
    /// Up to `limit` accounts with an id above `after`, in id order: pages
    /// of a short query each, never one long transaction.
    async fn page(&self, after: i64, limit: u32) -> Result<Vec<TakenNameRow>, RepoError>;
}
