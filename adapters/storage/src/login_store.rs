use application::ports::{LoginMethod, LoginStore, NewLogin, RepoError};
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
    async fn record_login(&self, login: &NewLogin) -> Result<String, RepoError> {
        // Every early return comes before the commit, and dropping the
        // transaction rolls back what it wrote.
        let mut tx = self.pool.begin().await.map_err(repo_error)?;
        sqlx::query("UPDATE users SET last_login = $1 WHERE id = $2")
            .bind(login.audit.at)
            .bind(login.user.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_error)?;
        let session = NewRefreshToken::first_of_session(&login.session, login.refresh_lifetime).stored_by_login(login);
        let token = SqliteRefreshTokenStore::insert_with(&mut *tx, login.user, session).await?;
        SqliteAuditLog::record_with(&mut *tx, &login.audit).await?;
        tx.commit().await.map_err(repo_error)?;
        Ok(token)
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

/// The same three writes as the SQLite transaction, in writing common table
/// expressions: one statement, all or none.
const RECORD_LOGIN: &str = "\
    WITH seen AS (UPDATE users SET last_login = $1 WHERE id = $2), \
         session AS (INSERT INTO refresh_tokens \
                         (token_hash, family, user_id, created_at, expires_at, session_started_at, device, ip) \
                     VALUES ($3, $4, $2, $5, $6, $5, $10, $9)) \
    INSERT INTO audit_events (user_id, event, ip, created_at, method, device) VALUES ($7, $8, $9, $1, $11, $10)";

#[async_trait]
impl LoginStore for PostgresLoginStore {
    async fn record_login(&self, login: &NewLogin) -> Result<String, RepoError> {
        let session = NewRefreshToken::first_of_session(&login.session, login.refresh_lifetime);
        sqlx::query(RECORD_LOGIN)
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
            .execute(&self.pool)
            .await
            .map_err(repo_error)?;
        Ok(session.token)
    }
}
