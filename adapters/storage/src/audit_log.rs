use std::net::IpAddr;

use application::ports::{AuditEntry, AuditEvent, AuditLog, LoginMethod, RepoError, SignInRecord};
use async_trait::async_trait;
use domain::UserId;
use sqlx::Row;

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
                sqlx::query(
                    "INSERT INTO audit_events (user_id, event, ip, created_at, method, device) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(entry.user_id.map(|id| id.0))
                .bind(entry.event.as_str())
                .bind(entry.ip.to_string())
                .bind(entry.at)
                .bind(entry.method.map(LoginMethod::as_str))
                .bind(entry.device.as_deref())
                .execute(executor)
                .await
                .map(|_| ())
                .map_err(repo_error)
            }

            /// One row of the sign-in history; `None` for a row written by a later
            /// version (an event or method this one does not know), which is left out
            /// rather than failing the whole history.
            fn sign_in_from_row(
                row: &<$db as sqlx::Database>::Row,
            ) -> Result<Option<SignInRecord>, RepoError> {
                let read = |e: sqlx::Error| RepoError::Other(e.to_string());
                let event: String = row.try_get("event").map_err(read)?;
                let method: Option<String> = row.try_get("method").map_err(read)?;
                let ip: String = row.try_get("ip").map_err(read)?;
                let outcome = AuditEvent::parse(&event).and_then(AuditEvent::sign_in_outcome);
                let method = method.as_deref().and_then(LoginMethod::parse);
                let (Some(outcome), Some(method), Ok(ip)) = (outcome, method, ip.parse::<IpAddr>()) else {
                    return Ok(None);
                };
                Ok(Some(SignInRecord {
                    at: row.try_get("created_at").map_err(read)?,
                    method,
                    device: row.try_get("device").map_err(read)?,
                    ip,
                    outcome,
                }))
            }
        }

        #[async_trait]
        impl AuditLog for $name {
            async fn record(&self, entry: AuditEntry) -> Result<(), RepoError> {
                Self::record_with(&self.pool, &entry).await
            }

            async fn sign_ins(&self, user: UserId, limit: u32) -> Result<Vec<SignInRecord>, RepoError> {
                let rows = sqlx::query(
                    "SELECT created_at, event, method, device, ip FROM audit_events \
                     WHERE user_id = $1 AND method IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(user.0)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(repo_error)?;
                rows.iter().filter_map(|row| Self::sign_in_from_row(row).transpose()).collect()
            }

            async fn entries_of(&self, user: UserId, limit: u32) -> Result<Vec<AuditEntry>, RepoError> {
                let read = |e: sqlx::Error| RepoError::Other(e.to_string());
                let rows = sqlx::query(
                    "SELECT created_at, event, method, device, ip FROM audit_events \
                     WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(user.0)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(repo_error)?;
                let mut entries = Vec::with_capacity(rows.len());
                for row in &rows {
                    let event: String = row.try_get("event").map_err(read)?;
                    let ip: String = row.try_get("ip").map_err(read)?;
                    let method: Option<String> = row.try_get("method").map_err(read)?;
                    let (Some(event), Ok(ip)) = (AuditEvent::parse(&event), ip.parse::<IpAddr>()) else { continue };
                    entries.push(AuditEntry {
                        user_id: Some(user),
                        event,
                        ip,
                        at: row.try_get("created_at").map_err(read)?,
                        method: method.as_deref().and_then(LoginMethod::parse),
                        device: row.try_get("device").map_err(read)?,
                    });
                }
                Ok(entries)
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
