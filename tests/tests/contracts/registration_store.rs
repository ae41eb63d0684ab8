//! The contract of the registration store, on SQLite and PostgreSQL: the new
//! account and its first session, all or none.

use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    NewRegistration, RefreshTokenStore, RegistrationStore, RepoError, Rotation, UniqueKey, UserRepository,
};
use chrono::DateTime;
use domain::{Email, LoginIdentifier, Mobile, NewUser};
use security::ServiceSecret;
use storage::Database;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite, stored_account};

struct Fixture {
    registrations: Arc<dyn RegistrationStore>,
    users: Arc<dyn UserRepository>,
    refresh: Arc<dyn RefreshTokenStore>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self {
            registrations: fresh.database.registrations(),
            users: fresh.database.users(),
            refresh: fresh.database.refresh_tokens(&ServiceSecret::from(b"contract-suite-secret")),
            fresh,
        }
    }
}

async fn sqlite(_test: &str) -> Option<Fixture> {
    fresh_sqlite().await.map(Fixture::from)
}

async fn postgres(test: &str) -> Option<Fixture> {
    fresh_postgres(test).await.map(Fixture::from)
}

/// Through PgBouncer in transaction mode.
async fn pooled_postgres(test: &str) -> Option<Fixture> {
    fresh_pooled_postgres(test).await.map(Fixture::from)
}

contract_suite!(
    suite: "registration_store",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_registration_stores_the_account_and_starts_its_session,
        an_unproven_email_is_stored_as_the_pending_one,
        a_taken_name_is_a_conflict_and_stores_nothing,
        a_session_that_cannot_be_stored_leaves_no_account,
    ]
);

const LIFETIME: Duration = Duration::from_secs(3600);

fn registration(username: &str, mobile: Option<&str>, email: Option<&str>, email_active: bool) -> NewRegistration {
    NewRegistration {
        user: NewUser {
            username: username.into(),
            mobile: mobile.map(|m| Mobile::parse(m).unwrap()),
            email: email.map(|e| Email::parse(e).unwrap()),
            email_active,
            password_hash: Some("$argon2id$hash".into()),
            date_joined: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        },
        refresh_lifetime: LIFETIME,
        origin: crate::refresh_origin(),
    }
}

async fn a_registration_stores_the_account_and_starts_its_session(f: Fixture) {
    let stored = f.registrations.register(&registration("alice", Some("13800138000"), None, false)).await.unwrap();
    assert_eq!(stored.user.username, "alice");
    assert_eq!(stored.user.mobile.as_ref().map(Mobile::as_str), Some("13800138000"));
    assert_eq!(stored.user.password_hash.as_deref(), Some("$argon2id$hash"));
    assert_eq!(stored.user.date_joined, DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    let found = f.users.find_by_login(&LoginIdentifier::Username("ALICE".into())).await.unwrap().unwrap();
    assert_eq!(found.id, stored.user.id);
    match f.refresh.rotate(&stored.refresh_token, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap() {
        Rotation::Rotated { user, .. } => assert_eq!(user, stored.user.id),
        other => panic!("the registration's refresh token should rotate, got {other:?}"),
    }
}

async fn an_unproven_email_is_stored_as_the_pending_one(f: Fixture) {
    let proven = f.registrations.register(&registration("bobby", None, Some("bob@example.com"), true)).await.unwrap();
    assert_eq!(proven.user.email.as_ref().map(Email::as_str), Some("bob@example.com"));
    let unproven =
        f.registrations.register(&registration("carol", None, Some("bob@example.com"), false)).await.unwrap();
    assert_eq!(
        (unproven.user.email.as_ref(), unproven.user.pending_email.as_ref().map(Email::as_str)),
        (None, Some("bob@example.com"))
    );
}

async fn a_taken_name_is_a_conflict_and_stores_nothing(f: Fixture) {
    stored_account(f.users.as_ref(), "alice", "$argon2id$hash").await;
    f.registrations.register(&registration("dave1", Some("13800138000"), Some("d@example.com"), true)).await.unwrap();
    let sessions = f.fresh.rows("refresh_tokens").await;
    for (attempt, key) in [
        (registration("Alice", None, None, false), UniqueKey::Username),
        (registration("erin1", Some("13800138000"), None, false), UniqueKey::Mobile),
        (registration("frank", None, Some("d@example.com"), true), UniqueKey::Email),
    ] {
        assert_eq!(f.registrations.register(&attempt).await.unwrap_err(), RepoError::Conflict(key));
    }
    assert_eq!((f.fresh.rows("users").await, f.fresh.rows("refresh_tokens").await), (2, sessions));
}

/// A trigger that refuses every new refresh token: the session, the last of
/// the registration's writes, fails.
async fn refuse_new_sessions(f: &Fixture) {
    match &f.fresh.database {
        Database::Sqlite(pool) => {
            sqlx::query(
                "CREATE TRIGGER refuse_sessions BEFORE INSERT ON refresh_tokens \
                 BEGIN SELECT RAISE(ABORT, 'sessions refused'); END",
            )
            .execute(pool)
            .await
            .unwrap();
        }
        Database::Postgres(pool) => {
            sqlx::query(
                "CREATE FUNCTION refuse_sessions() RETURNS trigger LANGUAGE plpgsql \
                 AS $$ BEGIN RAISE EXCEPTION 'sessions refused'; END $$",
            )
            .execute(pool)
            .await
            .unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_sessions BEFORE INSERT ON refresh_tokens \
                 FOR EACH ROW EXECUTE FUNCTION refuse_sessions()",
            )
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

async fn a_session_that_cannot_be_stored_leaves_no_account(f: Fixture) {
    refuse_new_sessions(&f).await;
    assert!(f.registrations.register(&registration("alice", Some("13800138000"), None, false)).await.is_err());
    assert_eq!(f.fresh.rows("users").await, 0);
    assert!(!f.users.username_exists("alice").await.unwrap());
}
