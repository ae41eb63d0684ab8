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
