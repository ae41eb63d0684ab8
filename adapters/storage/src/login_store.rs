use application::ports::{AuditEntry, AuditEvent, LoginMethod, LoginStore, NewLogin, RepoError, StoredLogin};
use async_trait::async_trait;

use super::audit_log::SqliteAuditLog;
use super::refresh_token_store::{NewRefreshToken, SqliteRefreshTokenStore};
use super::sql_error::repo_error;

/// Logins in SQLite: the three writes in one transaction (SQLite has no
/// writing common table expressions; a transaction costs it no round trips).
#[derive(Clone)]
pub struct SqliteLoginStore {
    pool: sqlx::SqlitePool,
}

impl SqliteLoginStore {
    pub fn new(pool: sqlx::SqlitePool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl LoginStore for SqliteLoginStore {
    async fn record_login(&self, login: &NewLogin) -> Result<Option<StoredLogin>, RepoError> {
        // Every early return comes before the commit, and dropping the
        // transaction rolls back what it wrote.
        let mut tx = self.pool.begin().await.map_err(repo_error)?;
        let seen = sqlx::query("UPDATE users SET last_login = $1 WHERE id = $2")
            .bind(login.audit.at)
            .bind(login.user.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_error)?;
        if seen.rows_affected() == 0 {
            return Ok(None);
        }
        let restored = sqlx::query("UPDATE users SET delete_after = NULL WHERE id = $1 AND delete_after IS NOT NULL")
            .bind(login.user.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_error)?
            .rows_affected()
            > 0;
        let session = NewRefreshToken::first_of_session(&login.session, login.refresh_lifetime).stored_by_login(login);
        let refresh_token = SqliteRefreshTokenStore::insert_with(&mut *tx, login.user, session).await?;
        SqliteAuditLog::record_with(&mut *tx, &login.audit).await?;
        if restored {
            let audit = &login.audit;
            let entry = AuditEntry::new(audit.user_id, AuditEvent::AccountRestored, audit.ip, audit.at);
            SqliteAuditLog::record_with(&mut *tx, &entry).await?;
        }
        tx.commit().await.map_err(repo_error)?;
        Ok(Some(StoredLogin { refresh_token, restored }))
    }
}

/// Logins in PostgreSQL: one statement, so one round trip and one commit
/// where three separate writes took three of each (a login's share of the
/// database's CPU is most of what a login costs beside its hash).
#[derive(Clone)]
pub struct PostgresLoginStore {
    pool: crate::PostgresPool,
}

impl PostgresLoginStore {
    pub fn new(pool: crate::PostgresPool) -> Self {
        Self { pool }
    }
}

/// The same writes as the SQLite transaction, in writing common table
/// expressions: one statement, all or none. `scheduled` reads the row as the
/// statement found it (every part sees the same snapshot), before `seen`
/// clears its deletion; `users_deletion_changed` announces that only when it
/// was set. Every write hangs on `seen`: an account erased meanwhile (whose
/// row `seen` waited for and then found gone) gets nothing, and no row back.
const RECORD_LOGIN: &str = "\
    WITH scheduled AS (SELECT delete_after IS NOT NULL AS restored FROM users WHERE id = $2), \
         seen AS (UPDATE users SET last_login = $1, delete_after = NULL WHERE id = $2 RETURNING id), \
         session AS (INSERT INTO refresh_tokens \
                         (token_hash, family, user_id, created_at, expires_at, session_started_at, device, ip) \
                     SELECT $3, $4, id, $5, $6, $5, $10, $9 FROM seen), \
         audit AS (INSERT INTO audit_events (user_id, event, ip, created_at, method, device) \
                   SELECT $7, $8, $9, $1, $11, $10 FROM seen), \
         restore AS (INSERT INTO audit_events (user_id, event, ip, created_at) \
                     SELECT $7, $12, $9, $1 FROM scheduled, seen WHERE restored) \
    SELECT restored FROM scheduled, seen";

#[async_trait]
impl LoginStore for PostgresLoginStore {
    async fn record_login(&self, login: &NewLogin) -> Result<Option<StoredLogin>, RepoError> {
        let session = NewRefreshToken::first_of_session(&login.session, login.refresh_lifetime);
        let restored: Option<bool> = sqlx::query_scalar(RECORD_LOGIN)
            .bind(login.audit.at)
            .bind(login.user.0)
            .bind(&session.hash)
            .bind(&session.family)
            .bind(session.created_at)
            .bind(session.expires_at)
            .bind(login.audit.user_id.map(|id| id.0))
            .bind(login.audit.event.as_str())
            .bind(login.audit.ip.to_string())
            .bind(login.audit.device.as_deref())
            .bind(login.audit.method.map(LoginMethod::as_str))
            .bind(AuditEvent::AccountRestored.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_error)?;
        Ok(restored.map(|restored| StoredLogin { refresh_token: session.token, restored }))
    }
}
