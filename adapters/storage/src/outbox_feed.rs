use async_trait::async_trait;
use sqlx::Row;

use application::ports::{MessagingError, OutboxCounts, OutboxEntry, OutboxFeed};

/// Reads an [`OutboxEntry`] from a row of either backend.
macro_rules! row_of {
    ($row:expr) => {{
        let get = |e: sqlx::Error| MessagingError::Other(e.to_string());
        Ok(OutboxEntry {
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

/// The outbox table read from the side, on either backend.
#[derive(Clone)]
pub enum DatabaseOutboxFeed {
    Sqlite(sqlx::SqlitePool),
    Postgres(crate::PostgresPool),
}

const RECENT: &str = "SELECT id, channel, recipient, purpose, code, link, status, last_error IS NOT NULL AS failed_before, \
                      created_at FROM outbox_messages ORDER BY id DESC LIMIT $1";

#[async_trait]
impl OutboxFeed for DatabaseOutboxFeed {
    async fn recent(&self, limit: u32) -> Result<Vec<OutboxEntry>, MessagingError> {
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

    async fn counts(&self) -> Result<OutboxCounts, MessagingError> {
        let (pending, dead): (i64, i64) = match self {
            Self::Sqlite(pool) => sqlx::query_as(COUNTS).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_as(COUNTS).fetch_one(pool).await,
        }
        .map_err(unavailable)?;
        Ok(OutboxCounts { pending, dead })
    }
}

const COUNTS: &str = "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, \
                      COUNT(*) FILTER (WHERE status = 'dead') AS dead FROM outbox_messages";

fn unavailable(error: sqlx::Error) -> MessagingError {
    MessagingError::Unavailable(error.to_string())
}
