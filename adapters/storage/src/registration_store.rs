use application::ports::{NewRegistration, Registration, RegistrationStore, RepoError};
use async_trait::async_trait;

use super::refresh_token_store::{NewRefreshToken, SqliteRefreshTokenStore};
use super::sql_error::repo_error;
use super::user_repository::{COLUMNS, INSERT_USER, PostgresUserRepository, SqliteUserRepository};

/// Registrations in SQLite: the account and its first session in one transaction.
#[derive(Clone)]
pub struct SqliteRegistrationStore {
    pool: sqlx::SqlitePool,
}

impl SqliteRegistrationStore {
    pub fn new(pool: sqlx::SqlitePool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl RegistrationStore for SqliteRegistrationStore {
    async fn register(&self, registration: &NewRegistration) -> Result<Registration, RepoError> {
        // Every early return comes before the commit, and dropping the
        // transaction rolls back what it wrote.
        let mut tx = self.pool.begin().await.map_err(repo_error)?;
        let user = SqliteUserRepository::insert_with(&mut *tx, &registration.user).await?;
        let session = NewRefreshToken::first_of_family(registration.refresh_lifetime).stored_from(&registration.origin);
        let family = session.family.clone();
        let refresh_token = SqliteRefreshTokenStore::insert_with(&mut *tx, user.id, session).await?;
        tx.commit().await.map_err(repo_error)?;
        Ok(Registration { user, refresh_token, session: family })
    }
}

/// Registrations in PostgreSQL: one statement (the account, then its first
/// session from the id it got), so one round trip and one commit.
#[derive(Clone)]
pub struct PostgresRegistrationStore {
    pool: crate::PostgresPool,
}

impl PostgresRegistrationStore {
    pub fn new(pool: crate::PostgresPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl RegistrationStore for PostgresRegistrationStore {
    async fn register(&self, registration: &NewRegistration) -> Result<Registration, RepoError> {
        let session = NewRefreshToken::first_of_family(registration.refresh_lifetime).stored_from(&registration.origin);
        let sql = sqlx::AssertSqlSafe(format!(
            "WITH account AS ({INSERT_USER} RETURNING {COLUMNS}), \
                  session AS (INSERT INTO refresh_tokens \
                                  (token_hash, family, user_id, created_at, expires_at, session_started_at, device, ip) \
                              SELECT $8, $9, id, $10, $11, $10, $12, $13 FROM account) \
             SELECT {COLUMNS} FROM account"
        ));
        let row = PostgresUserRepository::bind_new_user(sqlx::query(sql), &registration.user)
            .bind(&session.hash)
            .bind(&session.family)
            .bind(session.created_at)
            .bind(session.expires_at)
            .bind(&session.device)
            .bind(&session.ip)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_error)?;
        let user = PostgresUserRepository::user_from_row(&row)?;
        Ok(Registration { user, refresh_token: session.token, session: session.family })
    }
}
