use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::RepoError;

/// Removal of rows that protect nothing any more, a bounded batch at a time. Each call
/// deletes at most `limit` rows and answers how many it deleted; several instances may
/// call at once (each row goes once, nobody waits on another's batch).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
#[allow(clippy::struct_field_names, reason = "mockall names the generated mock's fields after the purge_ methods")]
pub trait DataRetention: Send + Sync {
    /// Refresh tokens expired before `now` whose whole family has expired too: while one
    /// member lives, the others stay, so that replaying one still revokes the family.
    async fn purge_expired_refresh_tokens(&self, now: DateTime<Utc>, limit: u32) -> Result<u64, RepoError>;
    /// Logged-out access-token ids whose token expired more than
    /// [`REVOCATION_RETENTION_MARGIN`](crate::REVOCATION_RETENTION_MARGIN) before `now`: by then
    /// it fails on its own on every instance.
    async fn purge_expired_access_token_revocations(&self, now: DateTime<Utc>, limit: u32) -> Result<u64, RepoError>;
    /// Sent or dead outbox messages queued before `before`; pending ones are never removed.
    async fn purge_settled_outbox_messages(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, RepoError>;
    /// Audit events recorded before `before`.
    async fn purge_audit_events(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, RepoError>;
    /// Account-change log rows written before `before` (every instance has read them long since).
    async fn purge_account_changes(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, RepoError>;
}
