use application::ports::{AccountDeletions, AuditEvent, ErasedAccount, RepoError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;
use sqlx::Row;

use super::sql_error::repo_error;

/// The address an audit row of the retention job names: it acts for no client.
const NO_CLIENT: &str = "0.0.0.0";

/// One implementation of [`AccountDeletions`] per sqlx backend; the SQL is the
/// same for both but for how the next due account is picked and locked
/// (`$begin`, `$pick_lock`).
macro_rules! sql_account_deletions {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty, $begin:literal, $pick_lock:literal) => {
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
        impl AccountDeletions for $name {
            async fn schedule(
                &self,
                user: UserId,
                delete_after: DateTime<Utc>,
            ) -> Result<Option<DateTime<Utc>>, RepoError> {
                sqlx::query_scalar(
                    "UPDATE users SET delete_after = COALESCE(delete_after, $1) WHERE id = $2 RETURNING delete_after",
                )
                .bind(delete_after)
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(repo_error)
            }

            async fn erase_next_due(
                &self,
                now: DateTime<Utc>,
                pseudonym: &str,
            ) -> Result<Option<ErasedAccount>, RepoError> {
                const PICK: &str = concat!(
                    "SELECT id, mobile, email, pending_email FROM users WHERE delete_after < $1 ",
                    "ORDER BY delete_after, id LIMIT 1",
                    $pick_lock
                );
                // Every early return comes before the commit, and dropping the
                // transaction rolls back what it wrote.
                let mut tx = self.pool.begin_with($begin).await.map_err(repo_error)?;
                let Some(row) = sqlx::query(PICK).bind(now).fetch_optional(&mut *tx).await.map_err(repo_error)? else {
                    return Ok(None);
                };
                let column = |e: sqlx::Error| RepoError::Other(e.to_string());
                let user = UserId(row.try_get("id").map_err(column)?);
                let addresses: [Option<String>; 3] = [
                    row.try_get("mobile").map_err(column)?,
                    row.try_get("email").map_err(column)?,
                    row.try_get("pending_email").map_err(column)?,
                ];
                sqlx::query("UPDATE audit_events SET subject = $1, user_id = NULL WHERE user_id = $2")
                    .bind(pseudonym)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                // Messages still pending go out (a code someone is waiting
                // for); the retention job removes them once settled.
                sqlx::query(
                    "DELETE FROM outbox_messages WHERE status IN ('sent', 'dead') AND recipient IN ($1, $2, $3)",
                )
                .bind(&addresses[0])
                .bind(&addresses[1])
                .bind(&addresses[2])
                .execute(&mut *tx)
                .await
                .map_err(repo_error)?;
                // Refresh tokens, revoked access tokens and OAuth bindings go with it (ON DELETE CASCADE).
                sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                sqlx::query("INSERT INTO audit_events (subject, event, ip, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(pseudonym)
                    .bind(AuditEvent::AccountErased.as_str())
                    .bind(NO_CLIENT)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                tx.commit().await.map_err(repo_error)?;
                let [mobile, email, pending_email] = addresses;
                Ok(Some(ErasedAccount {
                    user,
                    pseudonym: pseudonym.to_owned(),
                    mobile,
                    emails: email.into_iter().chain(pending_email).collect(),
                }))
            }
        }
    };
}

sql_account_deletions!(
    /// Account deletions in SQLite. `BEGIN IMMEDIATE` takes the database's
    /// write lock before the due account is picked, so nobody erases it twice
    /// and no other writer gets in between the pick and the erasure.
    SqliteAccountDeletions,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    "BEGIN IMMEDIATE",
    ""
);

sql_account_deletions!(
    /// Account deletions in PostgreSQL. Instances erasing at once each lock a
    /// different due account (`SKIP LOCKED`), and a sign-in holding the row
    /// (which would restore it) is skipped rather than waited for.
    PostgresAccountDeletions,
    crate::PostgresPool,
    sqlx::Postgres,
    "BEGIN",
    " FOR UPDATE SKIP LOCKED"
);
