//! The contract of the login store, on SQLite and PostgreSQL: `last_login`,
//! the audit entry and the new session, all or none.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AccountDeletions, AuditEntry, AuditEvent, AuditLog, LoginMethod, LoginStore, NewLogin, RefreshTokenStore, Rotation,
    SignInOrigin, SignInOutcome, UserRepository,
};
use chrono::{DateTime, Utc};
use domain::UserId;
use security::ServiceSecret;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite, stored_account};

struct Fixture {
    logins: Arc<dyn LoginStore>,
    audit: Arc<dyn AuditLog>,
    users: Arc<dyn UserRepository>,
    refresh: Arc<dyn RefreshTokenStore>,
    deletions: Arc<dyn AccountDeletions>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self {
            logins: fresh.database.logins(),
            audit: fresh.database.audit_log(),
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
        a_session_is_listed_with_its_start_device_and_latest_address,
        ended_and_other_users_sessions_are_not_the_user_s,
        the_sign_in_history_holds_logins_refusals_and_refreshes_newest_first,
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
        audit: AuditEntry::sign_in(
            Some(audited_user),
            AuditEvent::LoginSucceeded,
            LoginMethod::Password,
            &SignInOrigin::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)), "Firefox on Linux"),
            at(),
        ),
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
    match f.refresh.rotate(&token, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap() {
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
    assert_eq!(
        f.refresh.rotate(&phone, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap(),
        Rotation::Invalid
    );
    assert!(matches!(
        f.refresh.rotate(&laptop, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap(),
        Rotation::Rotated { .. }
    ));
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

fn successor(rotation: Rotation) -> String {
    match rotation {
        Rotation::Rotated { token, .. } => token,
        other => panic!("expected a rotation, got {other:?}"),
    }
}

async fn a_session_is_listed_with_its_start_device_and_latest_address(f: Fixture) {
    let alice = user(&f, "alice").await;
    let before = Utc::now() - chrono::TimeDelta::seconds(1);
    let first = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap().refresh_token;
    let listed = f.refresh.sessions(alice).await.unwrap();
    assert_eq!(listed.len(), 1);
    let session = &listed[0];
    assert_eq!(session.device.as_deref(), Some("Firefox on Linux"));
    assert_eq!(session.ip, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))));
    assert!(session.created_at >= before && session.created_at == session.last_used_at);

    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = successor(f.refresh.rotate(&first, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap());
    let listed = f.refresh.sessions(alice).await.unwrap();
    assert_eq!(listed.len(), 1, "a refresh goes on with the session, it starts none");
    let refreshed = &listed[0];
    assert_eq!(refreshed.id, session.id);
    assert_eq!(refreshed.created_at, session.created_at, "the start is kept");
    assert!(refreshed.last_used_at > session.last_used_at, "the refresh is its latest use");
    assert_eq!(refreshed.device.as_deref(), Some("Firefox on Linux"), "the device signed in on is kept");
    assert_eq!(refreshed.ip, Some(crate::refresh_origin().ip), "the address is the latest use's");
    assert!(f.refresh.has_session(alice, &session.id).await.unwrap());

    // A second login is a second session, listed first as the latest used.
    tokio::time::sleep(Duration::from_millis(20)).await;
    f.logins.record_login(&login(alice, alice)).await.unwrap();
    let listed = f.refresh.sessions(alice).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_ne!(listed[0].id, session.id);
    assert_eq!(listed[1].id, session.id);
    drop(second);
}

async fn ended_and_other_users_sessions_are_not_the_user_s(f: Fixture) {
    let (alice, bob) = (user(&f, "alice").await, user(&f, "bobby").await);
    let token = f.logins.record_login(&login(alice, alice)).await.unwrap();
    f.logins.record_login(&login(bob, bob)).await.unwrap();
    let id = f.refresh.sessions(alice).await.unwrap()[0].id.clone();
    assert!(f.refresh.has_session(alice, &id).await.unwrap());
    assert!(!f.refresh.has_session(bob, &id).await.unwrap(), "alice's session is not bob's");
    assert!(!f.refresh.has_session(alice, "no-such-session").await.unwrap());
    assert_eq!(f.refresh.sessions(bob).await.unwrap().len(), 1);

    f.refresh.revoke_family(&id).await.unwrap();
    assert!(f.refresh.sessions(alice).await.unwrap().is_empty());
    assert!(!f.refresh.has_session(alice, &id).await.unwrap());
    assert_eq!(f.refresh.sessions(bob).await.unwrap().len(), 1, "bob's session is untouched");
    drop(token);
}

async fn the_sign_in_history_holds_logins_refusals_and_refreshes_newest_first(f: Fixture) {
    let (alice, bob) = (user(&f, "alice").await, user(&f, "bobby").await);
    let phone = SignInOrigin::new(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5)), "Safari on iPhone");
    let at = |secs: i64| at() + chrono::TimeDelta::seconds(secs);
    let refused = AuditEntry::sign_in(Some(alice), AuditEvent::LoginFailed, LoginMethod::Sms, &phone, at(1));
    f.audit.record(refused).await.unwrap();
    let locked = AuditEntry::sign_in(Some(alice), AuditEvent::LoginLocked, LoginMethod::Password, &phone, at(2));
    f.audit.record(locked).await.unwrap();
    // Not a sign-in: not in the history.
    f.audit.record(AuditEntry::new(Some(alice), AuditEvent::PasswordChanged, phone.ip, at(3))).await.unwrap();
    // Another user's: not in alice's history.
    f.audit
        .record(AuditEntry::sign_in(Some(bob), AuditEvent::LoginFailed, LoginMethod::Password, &phone, at(4)))
        .await
        .unwrap();
    let token = f.logins.record_login(&login(alice, alice)).await.unwrap().unwrap().refresh_token;
    // The refresh is stamped now, after every entry above.
    f.refresh.rotate(&token, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap();

    let history = f.audit.sign_ins(alice, 10).await.unwrap();
    let seen: Vec<_> = history.iter().map(|entry| (entry.method, entry.outcome, entry.device.as_deref())).collect();
    assert_eq!(
        seen,
        vec![
            (LoginMethod::Refresh, SignInOutcome::Success, Some("Safari on iPad")),
            (LoginMethod::Password, SignInOutcome::Locked, Some("Safari on iPhone")),
            (LoginMethod::Sms, SignInOutcome::WrongPassword, Some("Safari on iPhone")),
            (LoginMethod::Password, SignInOutcome::Success, Some("Firefox on Linux")),
        ]
    );
    assert_eq!(history[1].ip, phone.ip);
    assert_eq!(f.audit.sign_ins(alice, 2).await.unwrap().len(), 2, "the limit is kept");
    assert_eq!(f.audit.sign_ins(bob, 10).await.unwrap().len(), 1);
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
