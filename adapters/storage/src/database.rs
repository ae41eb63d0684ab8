use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use application::Backend;
use application::ports::{
    AccessTokenRevocations, AccountDeletions, AuditLog, DataRetention, EmailChangeStore, LoginStore, MessageOutbox,
    NotReady, OAuthIdentityRepository, PasswordChangeStore, ProviderAttempts, ReadinessProbe, RefreshTokenStore,
    RegistrationStore, UserRepository,
};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Notify;

use security::ServiceSecret;

use super::RefreshTokenSuccessors;
use super::access_token_revocations::{PostgresAccessTokenRevocations, SqliteAccessTokenRevocations};
use super::account_change_log::{PostgresAccountChangeLog, SqliteAccountChangeLog};
use super::account_deletions::{PostgresAccountDeletions, SqliteAccountDeletions};
use super::audit_log::{PostgresAuditLog, SqliteAuditLog};
use super::data_retention::{PostgresDataRetention, SqliteDataRetention};
use super::email_change_store::{PostgresEmailChangeStore, SqliteEmailChangeStore};
use super::login_store::{PostgresLoginStore, SqliteLoginStore};
use super::migrations;
use super::oauth_identity_repository::{PostgresOAuthIdentityRepository, SqliteOAuthIdentityRepository};
use super::outbox::{PostgresOutbox, SqliteOutbox};
use super::outbox_feed::DatabaseOutboxFeed;
use super::password_change_store::{PostgresPasswordChangeStore, SqlitePasswordChangeStore};
use super::postgres_pool::PostgresPool;
use super::refresh_token_store::{PostgresRefreshTokenStore, SqliteRefreshTokenStore};
use super::registration_store::{PostgresRegistrationStore, SqliteRegistrationStore};
use super::statement_naming::StatementNaming;
use super::user_repository::{PostgresUserRepository, SqliteUserRepository};
use application::ports::AccountChangeLog;
use application::ports::TakenNameSource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    /// The backend a URL names: `sqlite:` or `postgres://` / `postgresql://`.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// A connection pool to whichever backend the configuration named.
#[derive(Clone)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PostgresPool),
}

impl Database {
    /// Connects lazily: the pool opens connections on first use, so the
    /// service starts (and answers 503) while the database is down, and
    /// recovers by itself when it returns. `acquire_timeout` bounds every wait.
    pub async fn connect(url: &str, acquire_timeout: Duration) -> Result<Self, sqlx::Error> {
        Self::connect_with_pool(url, acquire_timeout, 0, StatementNaming::Named).await
    }

    /// As [`connect`](Self::connect), with at most `max_connections` open at
    /// once (0 keeps the backend's default: 16 on PostgreSQL, 8 on SQLite)
    /// and PostgreSQL's statements named as `naming` says. SQLite has no
    /// pooler in front of it, so it refuses unnamed statements.
    pub async fn connect_with_pool(
        url: &str,
        acquire_timeout: Duration,
        max_connections: u32,
        naming: StatementNaming,
    ) -> Result<Self, sqlx::Error> {
        let sized = |default: u32| if max_connections == 0 { default } else { max_connections };
        match DatabaseKind::of_url(url) {
            Some(DatabaseKind::Sqlite) if naming == StatementNaming::Unnamed => Err(sqlx::Error::Configuration(
                "unnamed statements are for PostgreSQL behind a transaction pooler, not for SQLite".into(),
            )),
            Some(DatabaseKind::Sqlite) => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    // A second writer waits for the first instead of failing at once.
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(sized(8))
                    .acquire_timeout(acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            Some(DatabaseKind::Postgres) => {
                let options = PgConnectOptions::from_str(url)?.application_name("meiduo-accounts");
                let pool = PgPoolOptions::new()
                    .max_connections(sized(16))
                    .acquire_timeout(acquire_timeout)
                    .connect_lazy_with(options);
                Ok(Self::Postgres(PostgresPool::new(pool, naming)))
            }
            None => Err(sqlx::Error::Configuration("DATABASE_URL must start with sqlite: or postgres://".into())),
        }
    }

    pub fn kind(&self) -> DatabaseKind {
        match self {
            Self::Sqlite(_) => DatabaseKind::Sqlite,
            Self::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    /// Applies every migration not applied yet (PostgreSQL takes an advisory
    /// lock, so instances starting together do not race). Refused with
    /// unnamed statements: the session-level lock and the migrator's named
    /// statements need a connection that stays one server connection.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Self::Sqlite(pool) => migrations::sqlite().run(pool).await,
            Self::Postgres(pool) if pool.naming() == StatementNaming::Unnamed => {
                Err(sqlx::migrate::MigrateError::Execute(sqlx::Error::Configuration(
                    "migrations cannot run through a transaction pooler: they need a direct connection to PostgreSQL"
                        .into(),
                )))
            }
            Self::Postgres(pool) => migrations::postgres().run(pool.pg_pool()).await,
        }
    }

    pub fn users(&self) -> Arc<dyn UserRepository> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteUserRepository::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresUserRepository::new(pool.clone())),
        }
    }

    /// The taken usernames, mobiles and emails, read in pages to build the
    /// availability filter.
    pub fn taken_names(&self) -> Arc<dyn TakenNameSource> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteUserRepository::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresUserRepository::new(pool.clone())),
        }
    }

    /// Provider identities (QQ, WeChat) and the accounts they log in as.
    pub fn oauth_identities(&self) -> Arc<dyn OAuthIdentityRepository> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteOAuthIdentityRepository::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresOAuthIdentityRepository::new(pool.clone())),
        }
    }

    pub fn access_token_revocations(&self) -> Arc<dyn AccessTokenRevocations> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteAccessTokenRevocations::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresAccessTokenRevocations::new(pool.clone())),
        }
    }

    /// Refresh-token families; successors are derived under `service_secret`,
    /// which every instance must share.
    pub fn refresh_tokens(&self, service_secret: &ServiceSecret) -> Arc<dyn RefreshTokenStore> {
        let successors = RefreshTokenSuccessors::new(service_secret);
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteRefreshTokenStore::new(pool.clone(), successors)),
            Self::Postgres(pool) => Arc::new(PostgresRefreshTokenStore::new(pool.clone(), successors)),
        }
    }

    /// A reader of the account-change log, for one instance's follower.
    pub fn account_change_log(&self) -> Box<dyn AccountChangeLog> {
        match self {
            Self::Sqlite(pool) => Box::new(SqliteAccountChangeLog::new(pool.clone())),
            Self::Postgres(pool) => Box::new(PostgresAccountChangeLog::new(pool.clone())),
        }
    }

    pub fn audit_log(&self) -> Arc<dyn AuditLog> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteAuditLog::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresAuditLog::new(pool.clone())),
        }
    }

    /// Accounts scheduled for deletion, and their erasure by the retention job.
    pub fn account_deletions(&self) -> Arc<dyn AccountDeletions> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteAccountDeletions::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresAccountDeletions::new(pool.clone())),
        }
    }

    /// Removal of expired and old rows, for the retention job.
    pub fn data_retention(&self) -> Arc<dyn DataRetention> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteDataRetention::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresDataRetention::new(pool.clone())),
        }
    }

    /// The durable outbox; `wakeup` is notified on every enqueue.
    pub fn outbox(&self, wakeup: Arc<Notify>) -> Arc<dyn MessageOutbox> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteOutbox::new(pool.clone(), wakeup)),
            Self::Postgres(pool) => Arc::new(PostgresOutbox::new(pool.clone(), wakeup)),
        }
    }

    /// Where each provider's try at an outbox message is recorded, in the message's row.
    pub fn provider_attempts(&self) -> Arc<dyn ProviderAttempts> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteOutbox::new(pool.clone(), Arc::new(Notify::new()))),
            Self::Postgres(pool) => Arc::new(PostgresOutbox::new(pool.clone(), Arc::new(Notify::new()))),
        }
    }

    /// The newest outbox rows, for the development outbox.
    pub fn outbox_feed(&self) -> DatabaseOutboxFeed {
        match self {
            Self::Sqlite(pool) => DatabaseOutboxFeed::Sqlite(pool.clone()),
            Self::Postgres(pool) => DatabaseOutboxFeed::Postgres(pool.clone()),
        }
    }

    /// Email changes with their verification mail and audit entry, in one
    /// transaction; `wakeup` is the outbox's.
    pub fn email_changes(&self, wakeup: Arc<Notify>) -> Arc<dyn EmailChangeStore> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteEmailChangeStore::new(pool.clone(), wakeup)),
            Self::Postgres(pool) => Arc::new(PostgresEmailChangeStore::new(pool.clone(), wakeup)),
        }
    }

    /// New accounts with their first session, in one transaction.
    pub fn registrations(&self) -> Arc<dyn RegistrationStore> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteRegistrationStore::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresRegistrationStore::new(pool.clone())),
        }
    }

    /// Logins: `last_login`, the audit entry and the new session, in one transaction.
    pub fn logins(&self) -> Arc<dyn LoginStore> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqliteLoginStore::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresLoginStore::new(pool.clone())),
        }
    }

    /// New passwords with the sessions they end and their audit entry, in one transaction.
    pub fn password_changes(&self) -> Arc<dyn PasswordChangeStore> {
        match self {
            Self::Sqlite(pool) => Arc::new(SqlitePasswordChangeStore::new(pool.clone())),
            Self::Postgres(pool) => Arc::new(PostgresPasswordChangeStore::new(pool.clone())),
        }
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.pg_pool().close().await,
        }
    }
}

#[async_trait]
impl ReadinessProbe for Database {
    fn backend(&self) -> Backend {
        Backend::Database
    }

    async fn check(&self) -> Result<(), NotReady> {
        let result = match self {
            Self::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Self::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        result.map_err(|e| NotReady::Unreachable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn max_connections(url: &str, asked: u32) -> u32 {
        match Database::connect_with_pool(url, Duration::from_secs(1), asked, StatementNaming::Named).await.unwrap() {
            Database::Sqlite(pool) => pool.options().get_max_connections(),
            Database::Postgres(pool) => pool.pg_pool().options().get_max_connections(),
        }
    }

    #[tokio::test]
    async fn the_pool_holds_what_was_asked_and_zero_keeps_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}", dir.path().join("pool.db").display());
        assert_eq!(max_connections(&sqlite, 3).await, 3);
        assert_eq!(max_connections(&sqlite, 0).await, 8);
        // The PostgreSQL pool connects lazily: nothing needs to listen on this port.
        let postgres = "postgres://nobody@127.0.0.1:1/none";
        assert_eq!(max_connections(postgres, 5).await, 5);
        assert_eq!(max_connections(postgres, 0).await, 16);
    }
}
