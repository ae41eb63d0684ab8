//! Migrations on data written before them, on SQLite and PostgreSQL.

use chrono::{DateTime, Utc};
use domain::{Email, LoginIdentifier, NewUser};
use storage::Database;

use crate::{FreshDatabase, fresh_postgres, fresh_sqlite};

async fn sqlite(_test: &str) -> Option<FreshDatabase> {
    fresh_sqlite().await
}

async fn postgres(test: &str) -> Option<FreshDatabase> {
    fresh_postgres(test).await
}

contract_suite!(
    suite: "migrations",
    backends: [sqlite, postgres],
    tests: [pending_email_moves_existing_unverified_addresses_aside_and_keeps_the_rest]
);

/// Takes 0008 back out (its column and its entry in the migration table),
/// with 0010 whose trigger names that column and 0013 whose trigger writes to
/// 0010's table, and writes accounts the way the schema before them held them.
const SQLITE_BEFORE_0008: [&str; 11] = [
    "DELETE FROM _sqlx_migrations WHERE version IN (8, 10, 13)",
    "DROP TRIGGER users_deletion_changed",
    "DROP INDEX users_delete_after",
    "ALTER TABLE users DROP COLUMN delete_after",
    "ALTER TABLE audit_events DROP COLUMN subject",
    "DROP TRIGGER users_created",
    "DROP TRIGGER users_changed",
    "DROP TRIGGER users_deleted",
    "DROP TRIGGER access_token_revoked",
    "DROP TABLE account_changes",
    "ALTER TABLE users DROP COLUMN pending_email",
];
const POSTGRES_BEFORE_0008: [&str; 6] = [
    "DELETE FROM _sqlx_migrations WHERE version IN (8, 10, 13)",
    "DROP FUNCTION log_account_change() CASCADE",
    "ALTER TABLE users DROP COLUMN delete_after",
    "ALTER TABLE audit_events DROP COLUMN subject",
    "DROP TABLE account_changes",
    "ALTER TABLE users DROP COLUMN pending_email",
];
const LEGACY_USER: &str = "INSERT INTO users (username, email, email_active, date_joined) VALUES ($1, $2, $3, $4)";

async fn write_legacy_accounts(fresh: &FreshDatabase) {
    let joined = DateTime::<Utc>::from_timestamp(1_600_000_000, 0).unwrap();
    let accounts =
        [("alice", Some("alice@example.com"), true), ("bob_1", Some("bob@example.com"), false), ("carol", None, false)];
    match &fresh.database {
        Database::Sqlite(pool) => {
            for statement in SQLITE_BEFORE_0008 {
                sqlx::query(statement).execute(pool).await.unwrap();
            }
            for (name, email, active) in accounts {
                sqlx::query(LEGACY_USER).bind(name).bind(email).bind(active).bind(joined).execute(pool).await.unwrap();
            }
        }
        Database::Postgres(pool) => {
            for statement in POSTGRES_BEFORE_0008 {
                sqlx::query(statement).execute(pool).await.unwrap();
            }
            for (name, email, active) in accounts {
                sqlx::query(LEGACY_USER).bind(name).bind(email).bind(active).bind(joined).execute(pool).await.unwrap();
            }
        }
    }
}

async fn pending_email_moves_existing_unverified_addresses_aside_and_keeps_the_rest(fresh: FreshDatabase) {
    write_legacy_accounts(&fresh).await;
    fresh.database.migrate().await.unwrap();
    let users = fresh.database.users();
    let email = |raw: &str| Email::parse(raw).unwrap();
    let account = |name: &str| LoginIdentifier::Username(name.into());

    let alice = users.find_by_login(&account("alice")).await.unwrap().unwrap();
    assert_eq!((alice.email, alice.pending_email), (Some(email("alice@example.com")), None));
    let bob = users.find_by_login(&account("bob_1")).await.unwrap().unwrap();
    assert_eq!((bob.email, bob.pending_email), (None, Some(email("bob@example.com"))));
    let carol = users.find_by_login(&account("carol")).await.unwrap().unwrap();
    assert_eq!((carol.email, carol.pending_email), (None, None));

    // The unverified address no longer counts as taken; bob's own link still verifies it.
    assert!(users.email_exists(&email("alice@example.com")).await.unwrap());
    assert!(!users.email_exists(&email("bob@example.com")).await.unwrap());
    assert!(users.activate_email(bob.id, &email("bob@example.com"), bob.token_version).await.unwrap());
    let taken = NewUser {
        username: "dave1".into(),
        mobile: None,
        email: Some(email("bob@example.com")),
        email_active: true,
        password_hash: None,
        date_joined: Utc::now(),
    };
    assert!(users.insert(taken).await.is_err());
}
