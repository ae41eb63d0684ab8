use std::sync::LazyLock;

use application::REVOCATION_RETENTION_MARGIN;
use application::ports::{AccessTokenRevocations, RepoError, TokenStanding};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;
use sqlx::Row;

use super::sql_error::repo_error;
use super::user_repository::{COLUMNS, PostgresUserRepository, SqliteUserRepository};

/// The account and whether the token or its session was logged out, in one
/// statement (the same text for both backends), built once.
static STANDING_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS}, EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti IN ($2, $3)) AS revoked \
         FROM users WHERE id = $1"
    )
});

/// A session's revocation sits in the table of revoked token ids under this
/// prefix; token ids are hex and never carry it.
const SESSION_KEY_PREFIX: &str = "session:";

fn session_key(session: &str) -> String {
    format!("{SESSION_KEY_PREFIX}{session}")
}

/// The expiry (milliseconds) before which a revocation protects nothing any more at `now`:
/// its token has been expired for longer than the margin on every instance's clock.
pub(super) fn revocations_expired_before(now: DateTime<Utc>) -> i64 {
    let margin = i64::try_from(REVOCATION_RETENTION_MARGIN.as_millis()).unwrap_or(i64::MAX);
    now.timestamp_millis().saturating_sub(margin)
}

/// Revoked token ids and token versions in the database, one implementation
/// per sqlx backend.
macro_rules! sql_access_token_revocations {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $db:ty, $users:ty) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
        }

        impl $name {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            /// Bumps the user's token version on any executor (the transaction
            /// of a password change): every token issued before dies. The new
            /// version; `None` when the user does not exist.
            pub(crate) async fn revoke_all_with<'e, E>(executor: E, user: UserId) -> Result<Option<i64>, RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query_scalar::<_, i64>(
                    "UPDATE users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version",
                )
                .bind(user.0)
                .fetch_optional(executor)
                .await
                .map_err(repo_error)
            }
        }

        #[async_trait]
        impl AccessTokenRevocations for $name {
            async fn standing<'a>(
                &self,
                user: UserId,
                token_id: &str,
                session: Option<&'a str>,
            ) -> Result<Option<TokenStanding>, RepoError> {
                // A token without a session is checked against its own id twice.
                let session = session.map_or_else(|| token_id.to_owned(), session_key);
                let row = sqlx::query(sqlx::AssertSqlSafe(STANDING_SQL.as_str()))
                .bind(user.0)
                .bind(token_id)
                .bind(session)
                .fetch_optional(&self.pool)
                .await
                .map_err(repo_error)?;
                let get = |e: sqlx::Error| RepoError::Other(e.to_string());
                row.map(|row| {
                    Ok(TokenStanding {
                        user: <$users>::user_from_row(&row)?,
                        revoked: row.try_get("revoked").map_err(get)?,
                    })
                })
                .transpose()
            }

            async fn revoke(&self, user: UserId, token_id: &str, until: DateTime<Utc>) -> Result<(), RepoError> {
                // Entries whose token expired more than the margin ago protect nothing; drop
                // them on the way (the table stays small with the retention job off).
                sqlx::query("DELETE FROM revoked_access_tokens WHERE expires_at < $1")
                    .bind(revocations_expired_before(Utc::now()))
                    .execute(&self.pool)
                    .await
                    .map_err(repo_error)?;
                sqlx::query(
                    "INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (jti) DO NOTHING",
                )
                .bind(token_id)
                .bind(user.0)
                .bind(until.timestamp_millis())
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(repo_error)
            }

            async fn revoke_session(&self, user: UserId, session: &str, until: DateTime<Utc>) -> Result<(), RepoError> {
                // Later revocations of one session may reach further: the latest expiry wins.
                sqlx::query(
                    "INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at \
                     WHERE revoked_access_tokens.expires_at < excluded.expires_at",
                )
                .bind(session_key(session))
                .bind(user.0)
                .bind(until.timestamp_millis())
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(repo_error)
            }

            async fn revoke_all(&self, user: UserId) -> Result<i64, RepoError> {
                Self::revoke_all_with(&self.pool, user)
                    .await?
                    .ok_or_else(|| RepoError::Other(format!("user {} does not exist", user.0)))
            }
        }
    };
}

sql_access_token_revocations!(
    /// Token revocations in SQLite.
    SqliteAccessTokenRevocations,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    SqliteUserRepository
);

sql_access_token_revocations!(
    /// Token revocations in PostgreSQL.
    PostgresAccessTokenRevocations,
    crate::PostgresPool,
    sqlx::Postgres,
    PostgresUserRepository
);
