use std::env;

/// Whether a missing backend must fail the test instead of skipping it.
pub fn backends_required() -> bool {
    env::var("REQUIRE_BACKENDS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The URL in `variable`, or `None` after saying on stderr that the test is
/// skipped; panics instead when backends are required.
pub fn backend_url(variable: &str, test: &str) -> Option<String> {
    match env::var(variable) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if backends_required() => panic!("{test}: {variable} is not set and REQUIRE_BACKENDS=1"),
        _ => {
            // Written to the handle, not with eprintln!, which libtest captures
            // and hides for passing tests: a skip must be seen.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {variable} is not set (`bash .ci/run` sets it)");
            None
        }
    }
}

/// A PostgreSQL URL whose connections use a schema of their own, created
/// empty, so tests run in parallel on one database without seeing each other.
/// Schemas are named `t_<suite>_<random>`; each suite drops its own leftovers
/// from earlier runs when it first asks for one.
pub async fn fresh_postgres_url(admin_url: &str, suite: &str) -> String {
    use sqlx::Connection;
    let schema = format!("t_{suite}_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::PgConnection::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
    drop_stale_schemas(&mut connection, suite).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut connection)
        .await
        .expect("create a test schema");
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    format!("{admin_url}{separator}options=-c%20search_path%3D{schema}")
}

/// Drops the schemas an earlier run of `suite` left behind, once per process.
/// The lock is held until the drops are done, so no schema created by this
/// run can be listed as stale.
async fn drop_stale_schemas(connection: &mut sqlx::PgConnection, suite: &str) {
    static CLEANED: tokio::sync::Mutex<Vec<String>> = tokio::sync::Mutex::const_new(Vec::new());
    let mut cleaned = CLEANED.lock().await;
    if cleaned.iter().any(|s| s == suite) {
        return;
    }
    let pattern = format!("t\\_{suite}\\_%");
    let stale: Vec<String> = sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1")
        .bind(pattern)
        .fetch_all(&mut *connection)
        .await
        .unwrap_or_default();
    for schema in stale {
        let drop = sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        let _ = sqlx::query(drop).execute(&mut *connection).await;
    }
    cleaned.push(suite.to_owned());
}

/// A database of its own for a test that goes through PgBouncer: its URL on
/// the server directly (to create and migrate it) and through the pooler.
pub struct PooledPostgres {
    pub direct_url: String,
    pub pooled_url: String,
}

/// Creates an empty database over `admin_url` (a direct connection) and names
/// it in both URLs; `pooled_admin_url` is any database through the pooler,
/// whose fallback entry reaches every database of the server. A schema of its
/// own, as [`fresh_postgres_url`] gives, cannot do here: PgBouncer 1.18 does
/// not pass on the `options` startup parameter that sets the search path.
/// Databases are named `t_<suite>_<random>`; each suite drops its own
/// leftovers from earlier runs when it first asks for one.
pub async fn fresh_pooled_postgres(admin_url: &str, pooled_admin_url: &str, suite: &str) -> PooledPostgres {
    use sqlx::Connection;
    let database = format!("t_{suite}_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::PgConnection::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
    drop_stale_databases(&mut connection, suite).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut connection)
        .await
        .expect("create a test database");
    PooledPostgres {
        direct_url: with_database(admin_url, &database),
        pooled_url: with_database(pooled_admin_url, &database),
    }
}

/// `url` with its database (the path after the host) replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let authority = url.find("://").map_or(0, |at| at + 3);
    let path = url[authority..].find('/').map_or(url.len(), |at| authority + at);
    let query = url[path..].find('?').map_or("", |at| &url[path + at..]);
    format!("{}/{database}{query}", &url[..path])
}

/// Drops the databases an earlier run of `suite` left behind, once per
/// process, as [`drop_stale_schemas`] does for schemas. `FORCE` ends the
/// connections PgBouncer may still hold to them.
async fn drop_stale_databases(connection: &mut sqlx::PgConnection, suite: &str) {
    static CLEANED: tokio::sync::Mutex<Vec<String>> = tokio::sync::Mutex::const_new(Vec::new());
    let mut cleaned = CLEANED.lock().await;
    if cleaned.iter().any(|s| s == suite) {
        return;
    }
    let pattern = format!("t\\_{suite}\\_%");
    let stale: Vec<String> = sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE $1")
        .bind(pattern)
        .fetch_all(&mut *connection)
        .await
        .unwrap_or_default();
    for database in stale {
        let drop = sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        let _ = sqlx::raw_sql(drop).execute(&mut *connection).await;
    }
    cleaned.push(suite.to_owned());
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced_and_its_parameters_kept() {
        assert_eq!(with_database("postgres://u@h:6432/accounts_test", "t_x"), "postgres://u@h:6432/t_x");
        assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "t_x"), "postgres://u@h/t_x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h:5432", "t_x"), "postgres://u@h:5432/t_x");
    }
}
