//! One contract suite per port, run against every implementation of it, each
//! test on a fresh database or keyspace.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

/// Runs every test of a suite against every backend, as `backend::test`.
/// Each backend is a function `async fn(name) -> Option<Fixture>` (None =
/// skipped), each test an `async fn(Fixture)`. The server shares each port
/// between handlers on a multi-thread runtime, so the tests run on one too:
/// tasks a test spawns meet on parallel threads, in-process backends included.
macro_rules! contract_suite {
    (suite: $suite:literal, backends: [$($backend:ident),+], tests: $tests:tt) => {
        $(contract_suite!(@backend $suite, $backend, $tests);)+
    };
    (@backend $suite:literal, $backend:ident, [$($test:ident),+ $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let name = concat!($suite, "::", stringify!($backend), "::", stringify!($test));
                    let Some(fixture) = super::$backend(name).await else { return };
                    super::$test(fixture).await;
                }
            )+
        }
    };
}

/// Runs one contender per item of `inputs` as its own task, all released at
/// once by a barrier (on the multi-thread runtime they then overlap on
/// parallel threads), and returns their outputs in order.
pub async fn at_once<I, F>(inputs: impl IntoIterator<Item = I>, contender: impl Fn(I) -> F) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let contenders: Vec<F> = inputs.into_iter().map(contender).collect();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(contenders.len()));
    let tasks: Vec<_> = contenders
        .into_iter()
        .map(|contender| {
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                contender.await
            })
        })
        .collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.unwrap());
    }
    outputs
}

/// A migrated database of one kind, fresh for one test; `url` and `naming`
/// let a test open a second pool on it (another instance of the service).
pub struct FreshDatabase {
    pub database: storage::Database,
    pub url: String,
    naming: storage::StatementNaming,
    _dir: Option<tempfile::TempDir>,
}

async fn migrated(url: String, dir: Option<tempfile::TempDir>) -> FreshDatabase {
    let database = storage::Database::connect(&url, std::time::Duration::from_secs(5)).await.unwrap();
    database.migrate().await.unwrap();
    // Applying twice is a no-op.
    database.migrate().await.unwrap();
    FreshDatabase { database, url, naming: storage::StatementNaming::Named, _dir: dir }
}

impl FreshDatabase {
    /// A second pool on the same database, as another instance opens it.
    pub async fn another_instance(&self) -> storage::Database {
        storage::Database::connect_with_pool(&self.url, std::time::Duration::from_secs(5), 0, self.naming)
            .await
            .unwrap()
    }
}

impl FreshDatabase {
    /// How many `event` entries the audit trail holds for `user`. No port
    /// reads the trail back, so it is counted with SQL.
    pub async fn audit_events(&self, user: domain::UserId, event: &str) -> i64 {
        use storage::Database;
        const COUNT: &str = "SELECT COUNT(*) FROM audit_events WHERE user_id = $1 AND event = $2";
        match &self.database {
            Database::Sqlite(pool) => sqlx::query_scalar(COUNT).bind(user.0).bind(event).fetch_one(pool).await.unwrap(),
            Database::Postgres(pool) => {
                sqlx::query_scalar(COUNT).bind(user.0).bind(event).fetch_one(pool).await.unwrap()
            }
        }
    }
}

impl FreshDatabase {
    /// The outbox row's `provider_attempts`, read with SQL (no port reads it back).
    pub async fn provider_attempts(&self, id: i64) -> String {
        use storage::Database;
        const READ: &str = "SELECT provider_attempts FROM outbox_messages WHERE id = $1";
        match &self.database {
            Database::Sqlite(pool) => sqlx::query_scalar(READ).bind(id).fetch_one(pool).await.unwrap(),
            Database::Postgres(pool) => sqlx::query_scalar(READ).bind(id).fetch_one(pool).await.unwrap(),
        }
    }
}

impl FreshDatabase {
    /// How many rows `table` holds, counted with SQL (no port counts them).
    pub async fn rows(&self, table: &str) -> i64 {
        use storage::Database;
        // The table names come from the tests themselves.
        let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        match &self.database {
            Database::Sqlite(pool) => sqlx::query_scalar(count).fetch_one(pool).await.unwrap(),
            Database::Postgres(pool) => sqlx::query_scalar(count).fetch_one(pool).await.unwrap(),
        }
    }
}

/// Stores an account named `username` with `password_hash` and nothing else
/// (no mobile, no email), joined at a fixed time, and returns its id.
pub async fn stored_account(
    users: &dyn application::ports::UserRepository,
    username: &str,
    password_hash: &str,
) -> domain::UserId {
    let account = domain::NewUser {
        username: username.into(),
        mobile: None,
        email: None,
        email_active: false,
        password_hash: Some(password_hash.into()),
        date_joined: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    };
    users.insert(account).await.unwrap().id
}

/// A SQLite file in a temporary folder.
pub async fn fresh_sqlite() -> Option<FreshDatabase> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    Some(migrated(url, Some(dir)).await)
}

/// A schema of its own in `TEST_DATABASE_URL` (None: skipped).
pub async fn fresh_postgres(test: &str) -> Option<FreshDatabase> {
    let admin = test_support::backends::backend_url("TEST_DATABASE_URL", test)?;
    Some(migrated(test_support::backends::fresh_postgres_url(&admin, "contracts").await, None).await)
}

/// A database of its own, migrated over `TEST_DATABASE_URL` and used through
/// PgBouncer in transaction mode (`TEST_POOLED_DATABASE_URL`) with unnamed
/// statements, as a shop with many instances runs it (None: skipped).
pub async fn fresh_pooled_postgres(test: &str) -> Option<FreshDatabase> {
    use std::time::Duration;
    let admin = test_support::backends::backend_url("TEST_DATABASE_URL", test)?;
    let pooled = test_support::backends::backend_url("TEST_POOLED_DATABASE_URL", test)?;
    let urls = test_support::backends::fresh_pooled_postgres(&admin, &pooled, "pooled_contracts").await;
    let direct = storage::Database::connect(&urls.direct_url, Duration::from_secs(5)).await.unwrap();
    direct.migrate().await.unwrap();
    direct.close().await;
    let naming = storage::StatementNaming::Unnamed;
    let database =
        storage::Database::connect_with_pool(&urls.pooled_url, Duration::from_secs(5), 0, naming).await.unwrap();
    Some(FreshDatabase { database, url: urls.pooled_url, naming, _dir: None })
}

mod access_token_revocations;
mod account_change_log;
mod account_changes;
mod account_deletions;
mod cache;
mod cache_failover;
mod data_retention;
mod email_change_store;
mod login_store;
mod migrations;
mod oauth_identity_repository;
mod outbox;
mod password_change_store;
mod pooler_cost;
mod refresh_token_store;
mod registration_store;
mod replica_ack_cost;
mod user_repository;

/// Where a test's refreshes come from.
pub fn refresh_origin() -> application::ports::SignInOrigin {
    application::ports::SignInOrigin::new(std::net::IpAddr::from([198, 51, 100, 7]), "Safari on iPad")
}
