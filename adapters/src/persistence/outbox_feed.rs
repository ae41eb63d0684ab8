use chrono::{DateTime, Utc};
use sqlx::Row;

use application::ports::MessagingError;

use crate::metrics::OutboxCounts;

/// One row of the outbox table as the development outbox shows it.
#[derive(Debug, Clone)]
pub struct OutboxRow {
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

/// Reads an [`OutboxRow`] from a row of either backend.
macro_rules! row_of {
    ($row:expr) => {{
        let get = |e: sqlx::Error| MessagingError::Other(e.to_string());
        Ok(OutboxRow {
            id: $row.try_get("id").map_err(get)?,
            channel: $row.try_get("channel").map_err(get)?,
            recipient: $row.try_get("recipient").map_err(get)?,
            purpose: $row.try_get("purpose").map_err(get)?,
            code: $row.try_get("code").map_err(get)?,
            link: $row.try_get("link").map_err(get)?,
            status: $row.try_get("status").map_err(get)?,
            failed_before: $row.try_get("failed_before").map_err(get)?,
            created_at: $row.try_get("created_at").map_err(get)?,
        })
    }};
}

/// The newest rows of the outbox table, read for the development outbox so a
/// message shows the moment its request has queued it, whatever the worker did yet.
#[derive(Clone)]
pub enum OutboxFeed {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

const RECENT: &str = "SELECT id, channel, recipient, purpose, code, link, status, last_error IS NOT NULL AS failed_before, \
                      created_at FROM outbox_messages ORDER BY id DESC LIMIT $1";

impl OutboxFeed {
    pub async fn recent(&self, limit: u32) -> Result<Vec<OutboxRow>, MessagingError> {
        let limit = i64::from(limit);
        match self {
            Self::Sqlite(pool) => {
                let rows = sqlx::query(RECENT).bind(limit).fetch_all(pool).await.map_err(unavailable)?;
                rows.iter().map(|row| row_of!(row)).collect()
            }
            Self::Postgres(pool) => {
                let rows = sqlx::query(RECENT).bind(limit).fetch_all(pool).await.map_err(unavailable)?;
                rows.iter().map(|row| row_of!(row)).collect()
            }
        }
    }
}

const COUNTS: &str = "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, \
                      COUNT(*) FILTER (WHERE status = 'dead') AS dead FROM outbox_messages";

impl OutboxFeed {
    /// Messages waiting for delivery and given up, for `GET /metrics`.
    pub async fn counts(&self) -> Result<OutboxCounts, MessagingError> {
        let (pending, dead): (i64, i64) = match self {
            Self::Sqlite(pool) => sqlx::query_as(COUNTS).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_as(COUNTS).fetch_one(pool).await,
        }
        .map_err(unavailable)?;
        Ok(OutboxCounts { pending, dead })
    }
}

fn unavailable(error: sqlx::Error) -> MessagingError {
    MessagingError::Unavailable(error.to_string())
}
