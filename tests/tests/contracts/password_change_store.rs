//! The contract of the password change store, on SQLite and PostgreSQL: the
//! hash, the end of every session, the token version and the audit entry,
//! all or none.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AccessTokenRevocations, AuditEntry, AuditEvent, NewPassword, PasswordChangeStore, RefreshTokenStore, Rotation,
    UserRepository,
};
use chrono::Utc;
use domain::UserId;
use security::ServiceSecret;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite, stored_account};

struct Fixture {
    passwords: Arc<dyn PasswordChangeStore>,
    users: Arc<dyn UserRepository>,
    refresh: Arc<dyn RefreshTokenStore>,
    revocations: Arc<dyn AccessTokenRevocations>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self {
            passwords: fresh.database.password_changes(),
            users: fresh.database.users(),
            refresh: fresh.database.refresh_tokens(&ServiceSecret::from(b"contract-suite-secret")),
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
    suite: "password_change_store",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_new_password_ends_every_session_bumps_the_version_and_is_audited,
        a_failure_at_the_last_step_leaves_the_old_password_and_its_sessions,
        an_unknown_user_changes_nothing,
    ]
);

const LIFETIME: Duration = Duration::from_secs(3600);

async fn user(f: &Fixture, username: &str) -> UserId {
    stored_account(f.users.as_ref(), username, "$argon2id$old").await
}

fn new_password(user: UserId, audited_user: UserId) -> NewPassword {
    NewPassword {
        user,
        hash: "$argon2id$new".into(),
        audit: AuditEntry::new(
            Some(audited_user),
            AuditEvent::PasswordReset,
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
            Utc::now(),
        ),
    }
}

async fn version(f: &Fixture, user: UserId) -> i64 {
    f.revocations.standing(user, "any-jti", None).await.unwrap().unwrap().user.token_version
}

async fn is_alive(f: &Fixture, token: &str) -> bool {
    matches!(
        f.refresh.rotate(token, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap(),
        Rotation::Rotated { .. }
    )
}

async fn audited(f: &Fixture, user: UserId) -> i64 {
    f.fresh.audit_events(user, "password_reset").await
}

async fn a_new_password_ends_every_session_bumps_the_version_and_is_audited(f: Fixture) {
    let (alice, bob) = (user(&f, "alice").await, user(&f, "bobby").await);
    let (phone, laptop) =
        (f.refresh.create(alice, LIFETIME).await.unwrap(), f.refresh.create(alice, LIFETIME).await.unwrap());
    let bobs = f.refresh.create(bob, LIFETIME).await.unwrap();
    let before = version(&f, alice).await;

    assert!(f.passwords.replace_password(&new_password(alice, alice)).await.unwrap());
    let stored = f.users.find_by_id(alice).await.unwrap().unwrap();
    assert_eq!(stored.password_hash.as_deref(), Some("$argon2id$new"));
    assert_eq!(version(&f, alice).await, before + 1);
    assert!(!is_alive(&f, &phone).await && !is_alive(&f, &laptop).await);
    assert_eq!(audited(&f, alice).await, 1);
    // Another user's sessions and version are untouched.
    assert!(is_alive(&f, &bobs).await);
    assert_eq!(f.users.find_by_id(bob).await.unwrap().unwrap().password_hash.as_deref(), Some("$argon2id$old"));
}

async fn a_failure_at_the_last_step_leaves_the_old_password_and_its_sessions(f: Fixture) {
    let alice = user(&f, "alice").await;
    let session = f.refresh.create(alice, LIFETIME).await.unwrap();
    let before = version(&f, alice).await;
    // An audit entry naming a user that does not exist breaks the foreign key: the last write fails.
    let broken = new_password(alice, UserId(alice.0 + 1000));
    assert!(f.passwords.replace_password(&broken).await.is_err());
    let stored = f.users.find_by_id(alice).await.unwrap().unwrap();
    assert_eq!(stored.password_hash.as_deref(), Some("$argon2id$old"));
    assert_eq!(version(&f, alice).await, before);
    assert!(is_alive(&f, &session).await);
    assert_eq!(audited(&f, alice).await, 0);
}

async fn an_unknown_user_changes_nothing(f: Fixture) {
    let ghost = UserId(4242);
    assert!(!f.passwords.replace_password(&new_password(ghost, ghost)).await.unwrap());
    assert_eq!(audited(&f, ghost).await, 0);
}
