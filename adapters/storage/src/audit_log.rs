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

            /// Reads `user`'s entries, newest first (only sign-ins: those with a method). A row
            /// written by a later version (an event this one does not know) is left out
            /// rather than failing the whole list.
            async fn entries(
                &self,
                user: UserId,
                sign_ins_only: bool,
                limit: u32,
            ) -> Result<Vec<AuditEntry>, RepoError> {
                const ALL: &str = "SELECT created_at, event, method, device, ip FROM audit_events \
                     WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
                const SIGN_INS: &str = "SELECT created_at, event, method, device, ip FROM audit_events \
                     WHERE user_id = $1 AND method IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT $2";
                let read = |e: sqlx::Error| RepoError::Other(e.to_string());
                let rows = sqlx::query(if sign_ins_only { SIGN_INS } else { ALL })
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

        #[async_trait]
        impl AuditLog for $name {
            async fn record(&self, entry: AuditEntry) -> Result<(), RepoError> {
                Self::record_with(&self.pool, &entry).await
            }

            async fn sign_ins(&self, user: UserId, limit: u32) -> Result<Vec<SignInRecord>, RepoError> {
                let entries = self.entries(user, true, limit).await?;
                Ok(entries.into_iter().filter_map(AuditEntry::into_sign_in).collect())
            }

            async fn entries_of(&self, user: UserId, limit: u32) -> Result<Vec<AuditEntry>, RepoError> {
                self.entries(user, false, limit).await
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
