use std::time::Duration;

use application::ports::{
    AuditEntry, AuditEvent, LoginMethod, NewLogin, RefreshTokenStore, RepoError, Rotation, SessionRecord, SignInOrigin,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::RefreshTokenSuccessors;
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
    /// When the session began: `created_at` for a first member, the family's
    /// start for a successor (`None` when the family began before starts were kept).
    pub session_started_at: Option<i64>,
    pub device: Option<String>,
    /// The address of the request that stored it.
    pub ip: Option<String>,
}

impl NewRefreshToken {
    /// The first token of a new family: a new session.
    pub(crate) fn first_of_family(lifetime: Duration) -> Self {
        Self::with_token(new_token(), uuid::Uuid::new_v4().simple().to_string(), lifetime)
    }

    /// The first token of the session its access token already names.
    pub(crate) fn first_of_session(session: &str, lifetime: Duration) -> Self {
        Self::with_token(new_token(), session.to_owned(), lifetime)
    }

    fn with_token(token: String, family: String, lifetime: Duration) -> Self {
        let now = Utc::now().timestamp_millis();
        Self {
            hash: token_hash(&token),
            token,
            family,
            created_at: now,
            expires_at: now.saturating_add(millis(lifetime)),
            session_started_at: Some(now),
            device: None,
            ip: None,
        }
    }

    /// The first token of the session a login starts: from where the login came.
    pub(crate) fn stored_by_login(self, login: &NewLogin) -> Self {
        Self { device: login.audit.device.clone(), ip: Some(login.audit.ip.to_string()), ..self }
    }

    /// Stored by a request from `origin`.
    pub(crate) fn stored_from(self, origin: &SignInOrigin) -> Self {
        Self { device: Some(origin.device.clone()), ip: Some(origin.ip.to_string()), ..self }
    }
}

/// How many members of a family are kept: the newest ones, and every one
/// rotated within the reuse grace. Older members are deleted as the family
/// rotates, so a replay of one of them is refused as unknown (401
/// `token_invalid`) rather than reported as a reuse that ends the family; it
/// gets nothing either way.
const FAMILY_MEMBERS_KEPT: i64 = 8;

fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Refresh-token families in the database, one implementation per sqlx backend.
///
/// Every rotation and every revocation of a user's tokens runs in a
/// transaction that first takes the account's lock (`$begin` and
/// `$lock_account`): PostgreSQL locks the user's row, SQLite takes its one
/// write lock up front. So a revocation sees every successor minted before it,
/// and a rotation after it sees its token revoked: no successor outlives a
/// sign-out, however many rotations race it.
macro_rules! sql_refresh_token_store {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $transaction:ty, $db:ty, $audit:ty, $begin:literal, $lock_account:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
            successors: RefreshTokenSuccessors,
        }

        impl $name {
            pub fn new(pool: $pool, successors: RefreshTokenSuccessors) -> Self {
                Self { pool, successors }
            }

            /// Takes the account's session lock until the transaction ends and
            /// returns its token version; `None` when the account is gone.
            pub(crate) async fn lock_account_with<'e, E>(executor: E, user: UserId) -> Result<Option<i64>, RepoError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query_scalar::<_, i64>($lock_account)
                    .bind(user.0)
                    .fetch_optional(executor)
                    .await
                    .map_err(repo_error)
            }

            /// Revokes every family of the user on any executor (the
            /// transaction of a password change, which holds the account's
            /// lock since it updated the user's row first).
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
                    "INSERT INTO refresh_tokens \
                     (token_hash, family, user_id, created_at, expires_at, session_started_at, device, ip) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&new.hash)
                .bind(&new.family)
                .bind(user.0)
                .bind(new.created_at)
                .bind(new.expires_at)
                .bind(new.session_started_at)
                .bind(&new.device)
                .bind(&new.ip)
                .execute(executor)
                .await
                .map_err(repo_error)?;
                Ok(new.token)
            }

            async fn begin(&self) -> Result<$transaction, RepoError> {
                self.pool.begin_with($begin).await.map_err(repo_error)
            }

            /// Runs `revoke` (which binds its own parameters) in a transaction
            /// holding the lock of the account that owns the rows.
            async fn revoke_locked(&self, user: UserId, revoke: sqlx::query::Query<'_, $db, <$db as sqlx::Database>::Arguments>) -> Result<(), RepoError> {
                let mut tx = self.begin().await?;
                Self::lock_account_with(&mut *tx, user).await?;
                revoke.execute(&mut *tx).await.map_err(repo_error)?;
                tx.commit().await.map_err(repo_error)
            }
        }

        #[async_trait]
        impl RefreshTokenStore for $name {
            async fn create(&self, user: UserId, lifetime: Duration) -> Result<String, RepoError> {
                Self::insert_with(&self.pool, user, NewRefreshToken::first_of_family(lifetime)).await
            }

            async fn rotate(
                &self,
                presented: &str,
                grace: Duration,
                lifetime: Duration,
                origin: &SignInOrigin,
            ) -> Result<Rotation, RepoError> {
                let hash = token_hash(presented);
                let now = Utc::now().timestamp_millis();
                let get = |e: sqlx::Error| RepoError::Other(e.to_string());
                // Every early return comes before the commit, and dropping the
                // transaction rolls back what it wrote.
                let mut tx = self.begin().await?;
                let owner = sqlx::query_scalar::<_, i64>("SELECT user_id FROM refresh_tokens WHERE token_hash = $1")
                    .bind(&hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                let Some(user) = owner.map(UserId) else { return Ok(Rotation::Invalid) };
                let Some(version) = Self::lock_account_with(&mut *tx, user).await? else {
                    return Ok(Rotation::Invalid);
                };
                // Read again under the lock: a revocation that committed while
                // this waited is seen now.
                let row = sqlx::query(
                    "SELECT family, rotated_at, session_started_at, device FROM refresh_tokens \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(&hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await
                .map_err(repo_error)?;
                let Some(row) = row else { return Ok(Rotation::Invalid) };
                let family: String = row.try_get("family").map_err(get)?;
                let rotated_at: Option<i64> = row.try_get("rotated_at").map_err(get)?;
                let session_started_at: Option<i64> = row.try_get("session_started_at").map_err(get)?;
                let device: Option<String> = row.try_get("device").map_err(get)?;
                let successor = self.successors.successor_of(presented);
                match rotated_at {
                    None => {
                        sqlx::query("UPDATE refresh_tokens SET rotated_at = $2 WHERE token_hash = $1")
                            .bind(&hash)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(repo_error)?;
                        // The session keeps its start and the device it was signed in
                        // on (a family from before devices were kept takes this one's);
                        // its address is the latest use's.
                        let new = NewRefreshToken::with_token(successor, family.clone(), lifetime).stored_from(origin);
                        let new = NewRefreshToken { session_started_at, device: device.or(new.device), ..new };
                        let token = Self::insert_with(&mut *tx, user, new).await?;
                        sqlx::query(
                            "DELETE FROM refresh_tokens WHERE family = $1 AND rotated_at < $2 AND token_hash NOT IN \
                             (SELECT token_hash FROM refresh_tokens WHERE family = $1 ORDER BY created_at DESC LIMIT $3)",
                        )
                        .bind(&family)
                        .bind(now.saturating_sub(millis(grace)))
                        .bind(FAMILY_MEMBERS_KEPT)
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                        let audit = AuditEntry::sign_in(
                            Some(user),
                            AuditEvent::SessionRefreshed,
                            LoginMethod::Refresh,
                            origin,
                            Utc::now(),
                        );
                        <$audit>::record_with(&mut *tx, &audit).await?;
                        tx.commit().await.map_err(repo_error)?;
                        Ok(Rotation::Rotated { user, version, family, token })
                    }
                    Some(rotated_at) if rotated_at >= now.saturating_sub(millis(grace)) => {
                        // Two tabs: the successor minted by the first exchange, if it still lives.
                        let live = sqlx::query_scalar::<_, i64>(
                            "SELECT user_id FROM refresh_tokens \
                             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                        )
                        .bind(token_hash(&successor))
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                        Ok(match live {
                            Some(_) => Rotation::Rotated { user, version, family, token: successor },
                            None => Rotation::Invalid,
                        })
                    }
                    Some(_) => Ok(Rotation::Reused { user, family }),
                }
            }

            async fn sessions(&self, user: UserId) -> Result<Vec<SessionRecord>, RepoError> {
                let get = |e: sqlx::Error| RepoError::Other(e.to_string());
                // A family's current member is the one not rotated yet.
                let rows = sqlx::query(
                    "SELECT family, COALESCE(session_started_at, created_at) AS started, created_at, device, ip \
                     FROM refresh_tokens \
                     WHERE user_id = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
                     ORDER BY created_at DESC LIMIT $3",
                )
                .bind(user.0)
                .bind(Utc::now().timestamp_millis())
                .bind(i64::from(application::SESSIONS_LISTED))
                .fetch_all(&self.pool)
                .await
                .map_err(repo_error)?;
                rows.iter()
                    .map(|row| {
                        let ip: Option<String> = row.try_get("ip").map_err(get)?;
                        Ok(SessionRecord {
                            id: row.try_get("family").map_err(get)?,
                            created_at: from_millis(row.try_get("started").map_err(get)?),
                            last_used_at: from_millis(row.try_get("created_at").map_err(get)?),
                            device: row.try_get("device").map_err(get)?,
                            ip: ip.and_then(|ip| ip.parse().ok()),
                        })
                    })
                    .collect()
            }

            async fn has_session(&self, user: UserId, session: &str) -> Result<bool, RepoError> {
                sqlx::query_scalar::<_, i64>(
                    "SELECT user_id FROM refresh_tokens WHERE family = $1 AND user_id = $2 \
                     AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > $3 LIMIT 1",
                )
                .bind(session)
                .bind(user.0)
                .bind(Utc::now().timestamp_millis())
                .fetch_optional(&self.pool)
                .await
                .map(|found| found.is_some())
                .map_err(repo_error)
            }

            async fn revoke_family(&self, family: &str) -> Result<(), RepoError> {
                let owner = sqlx::query_scalar::<_, i64>("SELECT user_id FROM refresh_tokens WHERE family = $1 LIMIT 1")
                    .bind(family)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(repo_error)?;
                let Some(user) = owner.map(UserId) else { return Ok(()) };
                let revoke =
                    sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL")
                        .bind(family)
                        .bind(Utc::now().timestamp_millis());
                self.revoke_locked(user, revoke).await
            }

            async fn revoke_family_of(&self, user: UserId, presented: &str) -> Result<(), RepoError> {
                let revoke = sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $3 WHERE revoked_at IS NULL AND family = \
                     (SELECT family FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2)",
                )
                .bind(token_hash(presented))
                .bind(user.0)
                .bind(Utc::now().timestamp_millis());
                self.revoke_locked(user, revoke).await
            }

            async fn revoke_user(&self, user: UserId) -> Result<(), RepoError> {
                let revoke =
                    sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                        .bind(user.0)
                        .bind(Utc::now().timestamp_millis());
                self.revoke_locked(user, revoke).await
            }
        }
    };
}

sql_refresh_token_store!(
    /// Refresh tokens in SQLite. `BEGIN IMMEDIATE` takes the database's write
    /// lock at once: a deferred transaction that read first could not take it
    /// later without failing when another writer got in between.
    SqliteRefreshTokenStore,
    sqlx::SqlitePool,
    sqlx::Transaction<'static, sqlx::Sqlite>,
    sqlx::Sqlite,
    super::SqliteAuditLog,
    "BEGIN IMMEDIATE",
    "SELECT token_version FROM users WHERE id = $1"
);

sql_refresh_token_store!(
    /// Refresh tokens in PostgreSQL. `FOR NO KEY UPDATE` conflicts with
    /// itself and with every update of the user's row (a sign-out everywhere
    /// bumps `token_version`, a password change the hash), but not with the
    /// key-share locks that inserting a session's rows takes.
    PostgresRefreshTokenStore,
    crate::PostgresPool,
    crate::PostgresTransaction,
    sqlx::Postgres,
    super::PostgresAuditLog,
    "BEGIN",
    "SELECT token_version FROM users WHERE id = $1 FOR NO KEY UPDATE"
);
