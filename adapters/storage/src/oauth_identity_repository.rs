use application::ports::{
    BoundIdentity, IdentityKey, NewIdentity, OAuthIdentityRepository, OAuthProvider, RepoError, Unbinding,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{NewUser, User, UserId};
use sqlx::Row;

use super::sql_error::repo_error;
use super::user_repository::{PostgresUserRepository, SqliteUserRepository, corrupt};

const COLUMNS: &str = "provider, app_id, openid, unionid, user_id, created_at";

/// Oldest binding first; the id breaks ties between bindings of one instant.
/// (SQLite keeps the times as RFC 3339 text in UTC, which sorts like the instants.)
const OLDEST_FIRST: &str = "ORDER BY created_at, id";

/// One implementation of [`OAuthIdentityRepository`] per sqlx backend; the SQL
/// is the same for both. `$users` is the backend's user repository, whose
/// insert a new account with its identity shares.
macro_rules! sql_oauth_identity_repository {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty, $row:ty, $users:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            async fn insert_with<'e, E>(
                executor: E,
                identity: &NewIdentity,
                user: UserId,
                at: DateTime<Utc>,
            ) -> Result<(), RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query(
                    "INSERT INTO oauth_identities (provider, app_id, openid, unionid, user_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(identity.key.provider.as_str())
                .bind(&identity.key.app_id)
                .bind(&identity.key.openid)
                .bind(&identity.unionid)
                .bind(user.0)
                .bind(at)
                .execute(executor)
                .await
                .map(|_| ())
                .map_err(repo_error)
            }

            fn identity_from_row(row: &$row) -> Result<BoundIdentity, RepoError> {
                let get = |e: sqlx::Error| RepoError::Other(e.to_string());
                let provider: String = row.try_get("provider").map_err(get)?;
                Ok(BoundIdentity {
                    key: IdentityKey {
                        provider: OAuthProvider::parse(&provider).ok_or_else(|| corrupt("provider", &provider))?,
                        app_id: row.try_get("app_id").map_err(get)?,
                        openid: row.try_get("openid").map_err(get)?,
                    },
                    unionid: row.try_get("unionid").map_err(get)?,
                    user_id: UserId(row.try_get("user_id").map_err(get)?),
                    bound_at: row.try_get::<DateTime<Utc>, _>("created_at").map_err(get)?,
                })
            }
        }

        #[async_trait]
        impl OAuthIdentityRepository for $name {
            async fn find(&self, key: &IdentityKey) -> Result<Option<BoundIdentity>, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM oauth_identities WHERE provider = $1 AND app_id = $2 AND openid = $3"
                ));
                let row = sqlx::query(sql)
                    .bind(key.provider.as_str())
                    .bind(&key.app_id)
                    .bind(&key.openid)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(repo_error)?;
                row.map(|row| Self::identity_from_row(&row)).transpose()
            }

            async fn find_by_unionid(
                &self,
                providers: &[OAuthProvider],
                unionid: &str,
            ) -> Result<Option<UserId>, RepoError> {
                if providers.is_empty() {
                    return Ok(None);
                }
                // One placeholder per provider: `$2, $3, …` (`$1` is the unionid).
                let placeholders: Vec<String> = (2..providers.len() + 2).map(|n| format!("${n}")).collect();
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT user_id FROM oauth_identities WHERE unionid = $1 AND provider IN ({}) \
                     {OLDEST_FIRST} LIMIT 1",
                    placeholders.join(", ")
                ));
                let query = providers
                    .iter()
                    .fold(sqlx::query_scalar::<_, i64>(sql).bind(unionid), |query, p| query.bind(p.as_str()));
                let user = query.fetch_optional(&self.pool).await.map_err(repo_error)?;
                Ok(user.map(UserId))
            }

            async fn bind(&self, identity: &NewIdentity, user: UserId, at: DateTime<Utc>) -> Result<(), RepoError> {
                Self::insert_with(&self.pool, identity, user, at).await
            }

            async fn create_user_with_identity(
                &self,
                user: NewUser,
                identity: &NewIdentity,
                at: DateTime<Utc>,
            ) -> Result<User, RepoError> {
                // An error returns before the commit: dropping the transaction rolls
                // the user back, so an identity bound meanwhile leaves no orphan account.
                let mut transaction = self.pool.begin().await.map_err(repo_error)?;
                let user = $users::insert_with(&mut *transaction, &user).await?;
                Self::insert_with(&mut *transaction, identity, user.id, at).await?;
                transaction.commit().await.map_err(repo_error)?;
                Ok(user)
            }

            async fn list_for_user(&self, user: UserId) -> Result<Vec<BoundIdentity>, RepoError> {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM oauth_identities WHERE user_id = $1 {OLDEST_FIRST}"
                ));
                let rows = sqlx::query(sql).bind(user.0).fetch_all(&self.pool).await.map_err(repo_error)?;
                rows.iter().map(Self::identity_from_row).collect()
            }

            async fn unbind(&self, user: UserId, provider: OAuthProvider) -> Result<Unbinding, RepoError> {
                let mut tx = self.pool.begin().await.map_err(repo_error)?;
                // A no-op write on the user's row is the lock on both backends: a row
                // lock on PostgreSQL (the statements after it, under READ COMMITTED,
                // see what a concurrent unbinding committed), the write lock on SQLite.
                let exists = sqlx::query("UPDATE users SET id = id WHERE id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                if exists == 0 {
                    return Ok(Unbinding::Removed(0));
                }
                let has_password: bool = sqlx::query_scalar("SELECT password_hash IS NOT NULL FROM users WHERE id = $1")
                    .bind(user.0)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                let others: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM oauth_identities WHERE user_id = $1 AND provider <> $2")
                        .bind(user.0)
                        .bind(provider.as_str())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                let removed = sqlx::query("DELETE FROM oauth_identities WHERE user_id = $1 AND provider = $2")
                    .bind(user.0)
                    .bind(provider.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                if removed > 0 && !has_password && others == 0 {
                    // Dropping the transaction rolls the deletion back.
                    return Ok(Unbinding::LastWayToLogIn);
                }
                tx.commit().await.map_err(repo_error)?;
                Ok(Unbinding::Removed(removed))
            }
        }
    };
}

sql_oauth_identity_repository!(
    /// Provider identities in SQLite; the unique index on the identity decides binding races.
    SqliteOAuthIdentityRepository,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    SqliteUserRepository
);

sql_oauth_identity_repository!(
    /// Provider identities in PostgreSQL; the unique index on the identity decides binding races.
    PostgresOAuthIdentityRepository,
    crate::PostgresPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    PostgresUserRepository
);
