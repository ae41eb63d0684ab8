use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Error, SqlSafeStr};

/// Opens (creating if needed) the SQLite database at `url` (`sqlite://path`).
///
/// WAL lets readers proceed while one writer writes; the busy timeout makes a
/// second writer wait for the first instead of failing at once.
pub async fn connect_sqlite(url: &str, acquire_timeout: Duration) -> Result<SqlitePool, Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new().max_connections(8).acquire_timeout(acquire_timeout).connect_with(options).await
}

/// The SQLite schema, embedded in the binary so it runs from any directory.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "users".into(),
        MigrationType::Simple,
        include_str!("../../../migrations/sqlite/0001_users.sql").into_sql_str(),
        false,
    )])
}

/// Applies every migration not applied yet.
pub async fn migrate_sqlite(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    migrator().run(pool).await
}
