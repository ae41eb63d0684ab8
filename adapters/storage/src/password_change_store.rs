use application::ports::{NewPassword, PasswordChangeStore, RepoError};
use async_trait::async_trait;

use super::access_token_revocations::{PostgresAccessTokenRevocations, SqliteAccessTokenRevocations};
use super::audit_log::{PostgresAuditLog, SqliteAuditLog};
use super::refresh_token_store::{PostgresRefreshTokenStore, SqliteRefreshTokenStore};
use super::sql_error::repo_error;
use super::user_repository::{PostgresUserRepository, SqliteUserRepository};

/// New passwords in one transaction, one implementation per sqlx backend.
macro_rules! sql_password_change_store {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $users:ident, $refresh:ident, $revocations:ident, $audit:ident) => {
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
        impl PasswordChangeStore for $name {
            async fn replace_password(&self, change: &NewPassword) -> Result<bool, RepoError> {
                // Every early return comes before the commit, and dropping the
                // transaction rolls back what it wrote.
                let mut tx = self.pool.begin().await.map_err(repo_error)?;
                if !$users::update_password_hash_with(&mut *tx, change.user, &change.hash).await? {
                    return Ok(false);
                }
                $refresh::revoke_user_with(&mut *tx, change.user).await?;
                $revocations::revoke_all_with(&mut *tx, change.user).await?;
                $audit::record_with(&mut *tx, &change.audit).await?;
                tx.commit().await.map_err(repo_error)?;
                Ok(true)
            }
        }
    };
}

sql_password_change_store!(
    /// New passwords in SQLite.
    SqlitePasswordChangeStore,
    sqlx::SqlitePool,
    SqliteUserRepository,
    SqliteRefreshTokenStore,
    SqliteAccessTokenRevocations,
    SqliteAuditLog
);

sql_password_change_store!(
    /// New passwords in PostgreSQL.
    PostgresPasswordChangeStore,
    crate::PostgresPool,
    PostgresUserRepository,
    PostgresRefreshTokenStore,
    PostgresAccessTokenRevocations,
    PostgresAuditLog
);
