use application::ports::{AuditEntry, AuditLog, RepoError};
use async_trait::async_trait;

use super::sql_error::repo_error;

/// The audit trail in the database, one implementation per sqlx backend.
macro_rules! sql_audit_log {
    ($(#[$doc:meta])* $name:ident, $pool:ty) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }
        }

        #[async_trait]
        impl AuditLog for $name {
            async fn record(&self, entry: AuditEntry) -> Result<(), RepoError> {
                sqlx::query("INSERT INTO audit_events (user_id, event, ip, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(entry.user_id.map(|id| id.0))
                    .bind(entry.event.as_str())
                    .bind(entry.ip.to_string())
                    .bind(entry.at)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(repo_error)
            }
        }
    };
}

sql_audit_log!(
    /// The audit trail in SQLite.
    SqliteAuditLog,
    sqlx::SqlitePool
);

sql_audit_log!(
    /// The audit trail in PostgreSQL.
    PostgresAuditLog,
    sqlx::PgPool
);
