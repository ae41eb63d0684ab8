use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::MessagingError;

/// One row of the outbox table as the development outbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub purpose: String,
    /// Present while the message is pending; wiped once it is settled.
    pub code: Option<String>,
    pub link: Option<String>,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    /// Whether a delivery attempt has failed (a pending row then waits for its retry).
    pub failed_before: bool,
    pub created_at: DateTime<Utc>,
}

/// Outbox messages by state, read from the table when metrics are scraped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub dead: i64,
}

/// The outbox table read from the side: the development outbox shows its
/// newest rows the moment a request has queued them, whatever the delivery
/// worker did yet, and `GET /metrics` counts what waits and what was given up.
#[async_trait]
pub trait OutboxFeed: Send + Sync {
    /// The newest `limit` rows, newest first.
    async fn recent(&self, limit: u32) -> Result<Vec<OutboxEntry>, MessagingError>;
    /// Messages waiting for delivery and given up.
    async fn counts(&self) -> Result<OutboxCounts, MessagingError>;
}
