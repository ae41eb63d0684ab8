use application::ports::RepoError;
use async_trait::async_trait;
use sqlx::Row;

use super::sql_error::repo_error;
use crate::account_cache::{TakenNameRow, TakenNameSource};

/// One implementation of [`TakenNameSource`] per sqlx backend.
macro_rules! sql_taken_name_scan {
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
        impl TakenNameSource for $name {
            async fn count(&self) -> Result<u64, RepoError> {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await.map_err(repo_error)?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn page(&self, after: i64, limit: u32) -> Result<Vec<TakenNameRow>, RepoError> {
                let rows = sqlx::query("SELECT id, username, mobile, email FROM users WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(repo_error)?;
                rows.iter()
                    .map(|row| {
                        Ok(TakenNameRow {
                            id: row.try_get("id").map_err(repo_error)?,
                            username: row.try_get("username").map_err(repo_error)?,
                            mobile: row.try_get("mobile").map_err(repo_error)?,
                            email: row.try_get("email").map_err(repo_error)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

sql_taken_name_scan!(
    /// The taken names in SQLite, read in pages.
    SqliteTakenNameScan,
    sqlx::SqlitePool
);

sql_taken_name_scan!(
    /// The taken names in PostgreSQL, read in pages.
    PostgresTakenNameScan,
    sqlx::PgPool
);
