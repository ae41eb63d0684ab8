use application::ports::{AuditEntry, AuditLog, RepoError};
use async_trait::async_trait;

use super::sql_error::repo_error;

/// The audit trail in the database, one implementation per sqlx backend.
macro_rules! sql_audit_log {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            /// Records on any executor: the pool, or a transaction that
            /// stores the audited change with it.
            pub(crate) async fn record_with<'e, E>(executor: E, entry: &AuditEntry) -> Result<(), RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query("INSERT INTO audit_events (user_id, event, ip, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(entry.user_id.map(|id| id.0))
                    .bind(entry.event.as_str())
                    .bind(entry.ip.to_string())
                    .bind(entry.at)
                    .execute(executor)
                    .await
                    .map(|_| ())
                    .map_err(repo_error)
            }
        }

        #[async_trait]
        impl AuditLog for $name {
            async fn record(&self, entry: AuditEntry) -> Result<(), RepoError> {
                Self::record_with(&self.pool, &entry).await
            }
        }
    };
}

sql_audit_log!(
    /// The audit trail in SQLite.
    SqliteAuditLog,
    sqlx::SqlitePool,
    sqlx::Sqlite
);

sql_audit_log!(
    /// The audit trail in PostgreSQL.
    PostgresAuditLog,
    crate::PostgresPool,
    sqlx::Postgres
);
