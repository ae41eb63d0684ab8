use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AttemptOutcome, Channel, ClaimedMessage, CodePurpose, MessageContent, MessageOutbox, MessagingError,
    OutgoingMessage, ProviderAttempts,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::VerificationCode;
use sqlx::Row;
use tokio::sync::Notify;

use super::sql_error::repo_error;
use application::ports::RepoError;

fn messaging_error(error: sqlx::Error) -> MessagingError {
    match repo_error(error) {
        RepoError::Unavailable(detail) => MessagingError::Unavailable(detail),
        other => MessagingError::Other(other.to_string()),
    }
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn lease_millis(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX)
}

/// The durable outbox in the database, one implementation per sqlx backend.
/// `$claim_lock` is PostgreSQL's `FOR UPDATE SKIP LOCKED`, which lets several
/// instances claim at once without waiting for or double-claiming each
/// other's rows; SQLite serialises writers, so it needs none.
macro_rules! sql_outbox {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty, $row:ty, $claim_lock:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
            wakeup: Arc<Notify>,
        }

        impl $name {
            /// `wakeup` is notified on every enqueue, so a worker in this
            /// process delivers at once instead of at its next poll.
            pub fn new(pool: $pool, wakeup: Arc<Notify>) -> Self {
                Self { pool, wakeup }
            }

            /// Queues on any executor: the pool, or a transaction that stores
            /// the change the message announces with it. Wakes nobody; the
            /// caller does once the message is committed.
            pub(crate) async fn insert_with<'e, E>(executor: E, message: &OutgoingMessage) -> Result<(), sqlx::Error>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let now = Utc::now();
                let (code, link) = match &message.content {
                    MessageContent::Code { code, .. } => (Some(code.expose()), None),
                    MessageContent::EmailVerification { link } => (None, Some(link.as_str())),
                };
                sqlx::query(
                    "INSERT INTO outbox_messages (channel, recipient, purpose, code, link, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(message.channel.as_str())
                .bind(&message.to)
                .bind(message.content.purpose_name())
                .bind(code)
                .bind(link)
                .bind(millis(now))
                .bind(now)
                .execute(executor)
                .await
                .map(|_| ())
            }

            fn claimed_from_row(row: &$row) -> Result<ClaimedMessage, MessagingError> {
                let get = |e: sqlx::Error| MessagingError::Other(e.to_string());
                let channel: String = row.try_get("channel").map_err(get)?;
                let purpose: String = row.try_get("purpose").map_err(get)?;
                let code: Option<String> = row.try_get("code").map_err(get)?;
                let link: Option<String> = row.try_get("link").map_err(get)?;
                let attempts: i32 = row.try_get("attempts").map_err(get)?;
                let unusable = |what: &str| MessagingError::Other(format!("queued message has an unusable {what}"));
                Ok(ClaimedMessage {
                    id: row.try_get("id").map_err(get)?,
                    attempt: u32::try_from(attempts).map_err(|_| unusable("attempt count"))?,
                    message: OutgoingMessage {
                        channel: Channel::parse(&channel).ok_or_else(|| unusable("channel"))?,
                        to: row.try_get("recipient").map_err(get)?,
                        content: if purpose == MessageContent::EMAIL_VERIFICATION {
                            MessageContent::EmailVerification { link: link.ok_or_else(|| unusable("link"))? }
                        } else {
                            MessageContent::Code {
                                purpose: CodePurpose::parse(&purpose).ok_or_else(|| unusable("purpose"))?,
                                code: code
                                    .as_deref()
                                    .and_then(|code| VerificationCode::parse(code).ok())
                                    .ok_or_else(|| unusable("code"))?,
                            }
                        },
                    },
                })
            }

            /// Sets the final status and wipes the code or link: it is useless
            /// once the message is settled, and should not linger in the database.
            async fn settle(&self, id: i64, status: &'static str, error: Option<&str>) -> Result<(), MessagingError> {
                sqlx::query(
                    "UPDATE outbox_messages SET status = $1, code = NULL, link = NULL, locked_until = NULL, last_error = $2, \
                     sent_at = CASE WHEN $1 = 'sent' THEN $3 ELSE sent_at END WHERE id = $4",
                )
                .bind(status)
                .bind(error)
                .bind(Utc::now())
                .bind(id)
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(messaging_error)
            }
        }

        #[async_trait]
        impl MessageOutbox for $name {
            async fn enqueue(&self, message: OutgoingMessage) -> Result<(), MessagingError> {
                Self::insert_with(&self.pool, &message).await.map_err(messaging_error)?;
                self.wakeup.notify_one();
                Ok(())
            }

            async fn claim_due(&self, limit: u32, lease: Duration) -> Result<Vec<ClaimedMessage>, MessagingError> {
                let now = millis(Utc::now());
                let sql = concat!(
                    "UPDATE outbox_messages SET attempts = attempts + 1, locked_until = $1 WHERE id IN (",
                    "SELECT id FROM outbox_messages WHERE status = 'pending' AND next_attempt_at <= $2 ",
                    "AND (locked_until IS NULL OR locked_until <= $2) ORDER BY id LIMIT $3 ",
                    $claim_lock,
                    ") RETURNING id, channel, recipient, purpose, code, link, attempts"
                );
                let rows = sqlx::query(sql)
                    .bind(now.saturating_add(lease_millis(lease)))
                    .bind(now)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(messaging_error)?;
                let mut claimed: Vec<ClaimedMessage> = Vec::with_capacity(rows.len());
                for row in &rows {
                    claimed.push(Self::claimed_from_row(row)?);
                }
                claimed.sort_by_key(|message| message.id);
                Ok(claimed)
            }

            async fn mark_sent(&self, id: i64) -> Result<(), MessagingError> {
                self.settle(id, "sent", None).await
            }

            async fn mark_retry(&self, id: i64, retry_at: DateTime<Utc>, error: &str) -> Result<(), MessagingError> {
                sqlx::query(
                    "UPDATE outbox_messages SET next_attempt_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3",
                )
                .bind(millis(retry_at))
                .bind(error)
                .bind(id)
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(messaging_error)
            }

            async fn mark_dead(&self, id: i64, error: &str) -> Result<(), MessagingError> {
                self.settle(id, "dead", Some(error)).await
            }
        }

        /// Appends `<attempt> <provider> <outcome>` to the row's `provider_attempts`.
        #[async_trait]
        impl ProviderAttempts for $name {
            async fn record(&self, queued: Option<&ClaimedMessage>, provider: &'static str, outcome: AttemptOutcome) {
                let Some(queued) = queued else { return };
                let entry = format!("{} {provider} {}", queued.attempt, outcome.as_str());
                let appended = sqlx::query(
                    "UPDATE outbox_messages SET provider_attempts = CASE WHEN provider_attempts = '' THEN $1 \
                     ELSE provider_attempts || ', ' || $1 END WHERE id = $2",
                )
                .bind(&entry)
                .bind(queued.id)
                .execute(&self.pool)
                .await;
                if let Err(error) = appended {
                    tracing::warn!(id = queued.id, entry, %error, "outbox: cannot record the provider's attempt");
                }
            }
        }
    };
}

sql_outbox!(
    /// The outbox in SQLite.
    SqliteOutbox,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    ""
);

sql_outbox!(
    /// The outbox in PostgreSQL.
    PostgresOutbox,
    crate::PostgresPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "FOR UPDATE SKIP LOCKED"
);
