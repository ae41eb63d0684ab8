//! The contract of the account-change log, on SQLite and PostgreSQL: every
//! committed change an instance may hold in memory is read once, logins are
//! not logged, and (PostgreSQL) a change that commits after a later one was
//! read is not missed.

use std::sync::Arc;

use application::ports::{AccessTokenRevocations, UserRepository};
use application::ports::{AccountChange, AccountChangeLog};
use chrono::{TimeDelta, Utc};
use domain::{NewUser, Profile, UserId};
use storage::Database;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    log: Box<dyn AccountChangeLog>,
    users: Arc<dyn UserRepository>,
    revocations: Arc<dyn AccessTokenRevocations>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self {
            log: fresh.database.account_change_log(),
            users: fresh.database.users(),
            revocations: fresh.database.access_token_revocations(),
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
    suite: "account_change_log",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        every_change_held_in_memory_is_read_once_and_logins_are_not,
        what_came_before_opening_is_not_read,
    ]
);

/// SQLite lets one writer in at a time: no change can commit after a later one.
mod commit_order {
    use super::{Fixture, a_change_that_commits_after_a_later_one_was_read_is_not_missed};

    async fn postgres(test: &str) -> Option<Fixture> {
        super::postgres(test).await
    }

    async fn pooled_postgres(test: &str) -> Option<Fixture> {
        super::pooled_postgres(test).await
    }

    contract_suite!(
        suite: "account_change_log_commit_order",
        backends: [postgres, pooled_postgres],
        tests: [a_change_that_commits_after_a_later_one_was_read_is_not_missed]
    );
}

async fn user(f: &Fixture, name: &str, mobile: Option<&str>) -> UserId {
    let new = NewUser {
        username: name.into(),
        mobile: mobile.map(|m| domain::Mobile::parse(m).unwrap()),
        email: None,
        email_active: false,
        password_hash: None,
        date_joined: Utc::now(),
    };
    f.users.insert(new).await.unwrap().id
}

fn users_of(changes: &[AccountChange]) -> Vec<UserId> {
    changes.iter().map(|change| change.user).collect()
}

async fn execute(database: &Database, sql: &'static str) {
    match database {
        Database::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()).unwrap(),
        Database::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()).unwrap(),
    }
}

async fn every_change_held_in_memory_is_read_once_and_logins_are_not(mut f: Fixture) {
    f.log.open().await.unwrap();
    let alice = user(&f, "alice", Some("13800138000")).await;
    let changes = f.log.read().await.unwrap();
    assert_eq!(users_of(&changes), [alice], "a new account is logged, with the names it took");
    let names = changes[0].names.as_ref().unwrap();
    assert_eq!((names.username.as_str(), names.mobile.as_deref()), ("alice", Some("13800138000")));
    assert_eq!(f.log.read().await.unwrap(), [], "read once");

    execute(&f.fresh.database, "UPDATE users SET last_login = CURRENT_TIMESTAMP").await;
    assert_eq!(f.log.read().await.unwrap(), [], "a login is not a change memory must drop");

    let profile = Profile { nickname: Some("A".into()), ..Profile::default() };
    f.users.update_profile(alice, &profile).await.unwrap();
    f.revocations.revoke(alice, "jti", Utc::now() + TimeDelta::hours(1)).await.unwrap();
    f.revocations.revoke_all(alice).await.unwrap();
    assert_eq!(users_of(&f.log.read().await.unwrap()), [alice, alice, alice], "profile, logout, sign-out everywhere");

    execute(&f.fresh.database, "DELETE FROM users").await;
    let gone = f.log.read().await.unwrap();
    assert_eq!(users_of(&gone), [alice]);
    assert_eq!(gone[0].names, None, "a deleted account has no names left");
}

async fn what_came_before_opening_is_not_read(mut f: Fixture) {
    user(&f, "alice", None).await;
    f.log.open().await.unwrap();
    assert_eq!(f.log.read().await.unwrap(), []);
    let bobby = user(&f, "bobby", None).await;
    assert_eq!(users_of(&f.log.read().await.unwrap()), [bobby]);
}

/// Sequence numbers are handed out when rows are written, not when they
/// commit: alice's change takes its number first, bobby's commits first and
/// is read, and alice's must still be read once it commits.
async fn a_change_that_commits_after_a_later_one_was_read_is_not_missed(mut f: Fixture) {
    let alice = user(&f, "alice", None).await;
    let bobby = user(&f, "bobby", None).await;
    f.log.open().await.unwrap();
    f.log.read().await.unwrap();
    let Database::Postgres(pool) = &f.fresh.database else { panic!("PostgreSQL only") };
    let mut slow = pool.begin().await.unwrap();
    sqlx::query("UPDATE users SET nickname = 'slow' WHERE id = $1").bind(alice.0).execute(&mut *slow).await.unwrap();
    sqlx::query("UPDATE users SET nickname = 'fast' WHERE id = $1").bind(bobby.0).execute(pool).await.unwrap();
    assert_eq!(users_of(&f.log.read().await.unwrap()), [bobby]);
    slow.commit().await.unwrap();
    assert_eq!(users_of(&f.log.read().await.unwrap()), [alice], "the late commit is read, and bobby's not again");
    assert_eq!(f.log.read().await.unwrap(), []);
}
