use std::time::Duration;

use application::ports::{RefreshTokenStore, RepoError, Rotation};
use async_trait::async_trait;
use chrono::Utc;
use domain::UserId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::sql_error::repo_error;

/// 256 random bits, hex-encoded.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Only the hash is stored: a database dump does not yield usable tokens.
/// The tokens are random, so a fast hash is enough (no salt or stretching).
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A refresh token about to be stored: the token goes to the client, only
/// its hash to the table.
pub(crate) struct NewRefreshToken {
    pub token: String,
    pub hash: String,
    pub family: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl NewRefreshToken {
    /// The first token of a new family: a new session.
    pub(crate) fn first_of_family(lifetime: Duration) -> Self {
        Self::in_family(uuid::Uuid::new_v4().simple().to_string(), lifetime)
    }

    /// The successor of a rotated token.
    fn in_family(family: String, lifetime: Duration) -> Self {
        let token = new_token();
        let now = Utc::now().timestamp_millis();
        Self {
            hash: token_hash(&token),
            token,
            family,
            created_at: now,
            expires_at: now.saturating_add(millis(lifetime)),
        }
    }
}

/// Refresh-token families in the database, one implementation per sqlx backend.
macro_rules! sql_refresh_token_store {
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

            /// Revokes every family of the user on any executor (the
            /// transaction of a password change).
            pub(crate) async fn revoke_user_with<'e, E>(executor: E, user: UserId) -> Result<(), RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                    .bind(user.0)
                    .bind(Utc::now().timestamp_millis())
                    .execute(executor)
                    .await
                    .map(|_| ())
                    .map_err(repo_error)
            }

            /// Stores `new` as `user`'s on any executor (the transaction of a login).
            pub(crate) async fn insert_with<'e, E>(
                executor: E,
                user: UserId,
                new: NewRefreshToken,
            ) -> Result<String, RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query(
                    "INSERT INTO refresh_tokens (token_hash, family, user_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&new.hash)
                .bind(&new.family)
                .bind(user.0)
                .bind(new.created_at)
                .bind(new.expires_at)
                .execute(executor)
                .await
                .map_err(repo_error)?;
                Ok(new.token)
            }
        }

        #[async_trait]
        impl RefreshTokenStore for $name {
            async fn create(&self, user: UserId, lifetime: Duration) -> Result<String, RepoError> {
                Self::insert_with(&self.pool, user, NewRefreshToken::first_of_family(lifetime)).await
            }

            async fn rotate(&self, presented: &str, grace: Duration, lifetime: Duration) -> Result<Rotation, RepoError> {
                let hash = token_hash(presented);
                let now = Utc::now().timestamp_millis();
                // The one conditional update that decides: a live token not yet
                // rotated, or rotated within the grace period, is exchanged.
                let accepted = sqlx::query(
                    "UPDATE refresh_tokens SET rotated_at = COALESCE(rotated_at, $2) \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 \
                     AND (rotated_at IS NULL OR rotated_at >= $3) \
                     RETURNING user_id, family",
                )
                .bind(&hash)
                .bind(now)
                .bind(now.saturating_sub(millis(grace)))
                .fetch_optional(&self.pool)
                .await
                .map_err(repo_error)?;
                let get = |e: sqlx::Error| RepoError::Other(e.to_string());
                if let Some(row) = accepted {
                    let user = UserId(row.try_get("user_id").map_err(get)?);
                    let family: String = row.try_get("family").map_err(get)?;
                    let token =
                        Self::insert_with(&self.pool, user, NewRefreshToken::in_family(family, lifetime)).await?;
                    return Ok(Rotation::Rotated { user, token });
                }
                let known = sqlx::query(
                    "SELECT user_id, family FROM refresh_tokens \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND rotated_at IS NOT NULL",
                )
                .bind(&hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(repo_error)?;
                match known {
                    Some(row) => Ok(Rotation::Reused {
                        user: UserId(row.try_get("user_id").map_err(get)?),
                        family: row.try_get("family").map_err(get)?,
                    }),
                    None => Ok(Rotation::Invalid),
                }
            }

            async fn revoke_family(&self, family: &str) -> Result<(), RepoError> {
                sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL")
                    .bind(family)
                    .bind(Utc::now().timestamp_millis())
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(repo_error)
            }

            async fn revoke_family_of(&self, user: UserId, presented: &str) -> Result<(), RepoError> {
                sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $3 WHERE revoked_at IS NULL AND family = \
                     (SELECT family FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2)",
                )
                .bind(token_hash(presented))
                .bind(user.0)
                .bind(Utc::now().timestamp_millis())
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(repo_error)
            }

            async fn revoke_user(&self, user: UserId) -> Result<(), RepoError> {
                Self::revoke_user_with(&self.pool, user).await
            }
        }
    };
}

sql_refresh_token_store!(
    /// Refresh tokens in SQLite.
    SqliteRefreshTokenStore,
    sqlx::SqlitePool,
    sqlx::Sqlite
);

sql_refresh_token_store!(
    /// Refresh tokens in PostgreSQL.
    PostgresRefreshTokenStore,
    sqlx::PgPool,
    sqlx::Postgres
);
