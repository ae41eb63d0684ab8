use super::UniqueKey;

/// Failures of the database behind the repositories and stores.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// A unique value is already used by another row.
    #[error("{} already taken", .0.name())]
    Conflict(UniqueKey),
    /// The database cannot be reached or timed out.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}
