//! The contract of the login store, on SQLite and PostgreSQL: `last_login`,
//! the audit entry and the new session, all or none.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AccountDeletions, AuditEntry, AuditEvent, LoginStore, NewLogin, RefreshTokenStore, Rotation, UserRepository,
};
use chrono::{DateTime, Utc};
use domain::UserId;
use security::ServiceSecret;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite, stored_account};

struct Fixture {
    logins: Arc<dyn LoginStore>,
    users: Arc<dyn UserRepository>,
    refresh: Arc<dyn RefreshTokenStore>,
    deletions: Arc<dyn AccountDeletions>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self {
            logins: fresh.database.logins(),
            users: fresh.database.users(),
            refresh: fresh.database.refresh_tokens(&ServiceSecret::from(b"contract-suite-secret")),
            deletions: fresh.database.account_deletions(),
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
    suite: "login_store",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_login_sets_last_login_is_audited_and_starts_a_session,
        each_login_starts_a_session_of_its_own,
        a_failure_at_the_last_write_stores_nothing,
        an_unknown_user_gets_no_session,
        a_login_restores_an_account_scheduled_for_deletion_once_and_audits_it,
    ]
);

const LIFETIME: Duration = Duration::from_secs(3600);

async fn user(f: &Fixture, username: &str) -> UserId {
    stored_account(f.users.as_ref(), username, "$argon2id$stored").await
}

/// Whole seconds: every backend stores them exactly.
fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

fn login(user: UserId, audited_user: UserId) -> NewLogin {
    NewLogin {
        user,
        session: uuid::Uuid::new_v4().simple().to_string(),
        audit: AuditEntry {
            user_id: Some(audited_user),
            event: AuditEvent::LoginSucceeded,
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
            at: at(),
        },
        refresh_lifetime: LIFETIME,
    }
}

async fn last_login(f: &Fixture, user: UserId) -> Option<DateTime<Utc>> {
    f.users.find_by_id(user).await.unwrap().unwrap().last_login
}

async fn audited(f: &Fixture, user: UserId) -> i64 {
    f.fresh.audit_events(user, "login_succeeded").await
}

async fn a_login_sets_last_login_is_audited_and_starts_a_session(f: Fixture) {
    let (alice, bob) = (user(&f, "alice").await, user(&f, "bobby").await);
    let stored = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap();
    assert!(!stored.restored);
    let token = stored.refresh_token;
    assert_eq!(last_login(&f, alice).await, Some(at()));
    assert_eq!(audited(&f, alice).await, 1);
    match f.refresh.rotate(&token, Duration::ZERO, LIFETIME).await.unwrap() {
        Rotation::Rotated { user, .. } => assert_eq!(user, alice),
        other => panic!("the login's refresh token should rotate, got {other:?}"),
    }
    // Another account is untouched.
    assert_eq!((last_login(&f, bob).await, audited(&f, bob).await), (None, 0));
}

async fn each_login_starts_a_session_of_its_own(f: Fixture) {
    let alice = user(&f, "alice").await;
    let phone = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap().refresh_token;
    let laptop = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap().refresh_token;
    assert_ne!(phone, laptop);
    // Ending one family leaves the other.
    f.refresh.revoke_family_of(alice, &phone).await.unwrap();
    assert_eq!(f.refresh.rotate(&phone, Duration::ZERO, LIFETIME).await.unwrap(), Rotation::Invalid);
    assert!(matches!(f.refresh.rotate(&laptop, Duration::ZERO, LIFETIME).await.unwrap(), Rotation::Rotated { .. }));
    assert_eq!(audited(&f, alice).await, 2);
}

async fn a_failure_at_the_last_write_stores_nothing(f: Fixture) {
    let alice = user(&f, "alice").await;
    // An audit entry naming a user that does not exist breaks the foreign
    // key: the audit entry is the last of the three writes.
    let broken = login(alice, UserId(alice.0 + 1000));
    assert!(f.logins.record_login(&broken).await.is_err());
    assert_eq!(last_login(&f, alice).await, None);
    assert_eq!(f.fresh.rows("refresh_tokens").await, 0);
    assert_eq!(f.fresh.rows("audit_events").await, 0);
}

async fn an_unknown_user_gets_no_session(f: Fixture) {
    // An account erased while its owner signed in: nothing stored, and no error (the use case answers for it).
    let ghost = UserId(4242);
    assert_eq!(f.logins.record_login(&login(ghost, ghost)).await.unwrap(), None);
    assert_eq!(f.fresh.rows("refresh_tokens").await, 0);
    assert_eq!(f.fresh.rows("audit_events").await, 0);
}

async fn a_login_restores_an_account_scheduled_for_deletion_once_and_audits_it(f: Fixture) {
    let (alice, bob) = (user(&f, "alice").await, user(&f, "bobby").await);
    for account in [alice, bob] {
        f.deletions.schedule(account, at()).await.unwrap();
    }
    let first = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap();
    let second = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap();
    assert_eq!((first.restored, second.restored), (true, false));
    assert_eq!(f.fresh.audit_events(alice, "account_restored").await, 1);
    // Restored: nothing is due, so the erasure finds only the other account.
    let later = at() + chrono::TimeDelta::days(1);
    let erased = f.deletions.erase_next_due(later, "erased:1").await.unwrap().map(|erased| erased.user);
    assert_eq!(erased, Some(bob));
    assert_eq!(f.deletions.erase_next_due(later, "erased:2").await.unwrap(), None);
    assert!(f.users.find_by_id(alice).await.unwrap().is_some());
}
