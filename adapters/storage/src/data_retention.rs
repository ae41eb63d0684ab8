use application::ports::{DataRetention, RepoError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::access_token_revocations::revocations_expired_before;
use super::sql_error::repo_error;

/// Bounded deletes, one SQL text per table for both backends: the ids of at most `$2` rows
/// are picked, oldest first, then deleted. `$skip_locked` is PostgreSQL's
/// `FOR UPDATE SKIP LOCKED`: instances purging at once pick disjoint batches instead of
/// waiting for (or deadlocking on) each other's rows; SQLite serialises writers and needs none.
macro_rules! sql_data_retention {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty, $skip_locked:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            /// Runs one bounded delete (`$1` the cutoff, `$2` the batch size); the rows deleted.
            async fn purge<'q, T>(&self, sql: &'static str, cutoff: T, limit: u32) -> Result<u64, RepoError>
            where
                T: 'q + Send + sqlx::Encode<'q, $db> + sqlx::Type<$db>,
            {
                sqlx::query(sql)
                    .bind(cutoff)
                    .bind(i64::from(limit))
                    .execute(&self.pool)
                    .await
                    .map(|done| done.rows_affected())
                    .map_err(repo_error)
            }
        }

        #[async_trait]
        impl DataRetention for $name {
            async fn purge_expired_refresh_tokens(&self, now: DateTime<Utc>, limit: u32) -> Result<u64, RepoError> {
                const SQL: &str = concat!(
                    "DELETE FROM refresh_tokens WHERE token_hash IN (",
                    "SELECT r.token_hash FROM refresh_tokens r WHERE r.expires_at < $1 AND NOT EXISTS (",
                    "SELECT 1 FROM refresh_tokens live WHERE live.family = r.family AND live.expires_at >= $1) ",
                    "ORDER BY r.expires_at LIMIT $2",
                    $skip_locked,
                    ")"
                );
                self.purge(SQL, now.timestamp_millis(), limit).await
            }

            async fn purge_expired_access_token_revocations(
                &self,
                now: DateTime<Utc>,
                limit: u32,
            ) -> Result<u64, RepoError> {
                const SQL: &str = concat!(
                    "DELETE FROM revoked_access_tokens WHERE jti IN (",
                    "SELECT jti FROM revoked_access_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT $2",
                    $skip_locked,
                    ")"
                );
                self.purge(SQL, revocations_expired_before(now), limit).await
            }

            async fn purge_settled_outbox_messages(
                &self,
                before: DateTime<Utc>,
                limit: u32,
            ) -> Result<u64, RepoError> {
                const SQL: &str = concat!(
                    "DELETE FROM outbox_messages WHERE id IN (",
                    "SELECT id FROM outbox_messages WHERE status IN ('sent', 'dead') AND created_at < $1 ",
                    "ORDER BY id LIMIT $2",
                    $skip_locked,
                    ")"
                );
                self.purge(SQL, before, limit).await
            }

            async fn purge_account_changes(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, RepoError> {
                const SQL: &str = concat!(
                    "DELETE FROM account_changes WHERE seq IN (",
                    "SELECT seq FROM account_changes WHERE at < $1 ORDER BY seq LIMIT $2",
                    $skip_locked,
                    ")"
                );
                self.purge(SQL, before.timestamp_millis(), limit).await
            }

            async fn purge_audit_events(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, RepoError> {
                const SQL: &str = concat!(
                    "DELETE FROM audit_events WHERE id IN (",
                    "SELECT id FROM audit_events WHERE created_at < $1 ORDER BY id LIMIT $2",
                    $skip_locked,
                    ")"
                );
                self.purge(SQL, before, limit).await
            }
        }
    };
}

sql_data_retention!(
    /// Retention on the embedded SQLite database.
    SqliteDataRetention,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    ""
);

sql_data_retention!(
    /// Retention on PostgreSQL, safe with several instances purging at once.
    PostgresDataRetention,
    crate::PostgresPool,
    sqlx::Postgres,
    " FOR UPDATE SKIP LOCKED"
);
