use std::sync::Arc;

use application::ports::{EmailChange, EmailChangeStore, RepoError};
use async_trait::async_trait;
use domain::User;
use tokio::sync::Notify;

use super::audit_log::{PostgresAuditLog, SqliteAuditLog};
use super::outbox::{PostgresOutbox, SqliteOutbox};
use super::sql_error::repo_error;
use super::user_repository::{PostgresUserRepository, SqliteUserRepository};

/// Email changes in one transaction, one implementation per sqlx backend.
macro_rules! sql_email_change_store {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $users:ident, $outbox:ident, $audit:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
            wakeup: Arc<Notify>,
        }

        impl $name {
            /// `wakeup` is the outbox's: notified once the mail is committed,
            /// so a worker in this process sends it at once.
            pub fn new(pool: $pool, wakeup: Arc<Notify>) -> Self {
                Self { pool, wakeup }
            }
        }

        #[async_trait]
        impl EmailChangeStore for $name {
            async fn change_email(&self, change: &EmailChange) -> Result<Option<User>, RepoError> {
                // Every early return comes before the commit, and dropping the
                // transaction rolls back what it wrote: a taken address or a
                // vanished user leaves no mail behind.
                let mut tx = self.pool.begin().await.map_err(repo_error)?;
                $outbox::insert_with(&mut *tx, &change.mail).await.map_err(repo_error)?;
                let Some(user) = $users::set_email_with(&mut *tx, change.user, &change.email).await? else {
                    return Ok(None);
                };
                $audit::record_with(&mut *tx, &change.audit).await?;
                tx.commit().await.map_err(repo_error)?;
                self.wakeup.notify_one();
                Ok(Some(user))
            }
        }
    };
}

sql_email_change_store!(
    /// Email changes in SQLite.
    SqliteEmailChangeStore,
    sqlx::SqlitePool,
    SqliteUserRepository,
    SqliteOutbox,
    SqliteAuditLog
);

sql_email_change_store!(
    /// Email changes in PostgreSQL.
    PostgresEmailChangeStore,
    crate::PostgresPool,
    PostgresUserRepository,
    PostgresOutbox,
    PostgresAuditLog
);
