//! The contract of the email change store, on SQLite and PostgreSQL: the
//! address, its verification mail and the audit entry, all or none.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::Field;
use application::ports::{
    AuditEntry, AuditEvent, Channel, EmailChange, EmailChangeStore, MessageContent, MessageOutbox, OutgoingMessage,
    RepoError, UserRepository,
};
use chrono::{DateTime, Utc};
use domain::{Email, NewUser, UserId};
use tokio::sync::Notify;

use crate::{FreshDatabase, fresh_postgres, fresh_sqlite};

struct Fixture {
    changes: Arc<dyn EmailChangeStore>,
    users: Arc<dyn UserRepository>,
    outbox: Arc<dyn MessageOutbox>,
    wakeup: Arc<Notify>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        let wakeup = Arc::new(Notify::new());
        Self {
            changes: fresh.database.email_changes(wakeup.clone()),
            users: fresh.database.users(),
            outbox: fresh.database.outbox(Arc::new(Notify::new())),
            wakeup,
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

contract_suite!(
    suite: "email_change_store",
    backends: [sqlite, postgres],
    tests: [
        a_change_stores_the_address_unverified_queues_its_mail_and_audits_it,
        the_verified_address_again_stays_verified_and_a_new_one_starts_unverified,
        another_account_s_address_is_a_conflict_and_nothing_is_queued_or_audited,
        an_unknown_user_changes_nothing,
    ]
);

const LINK: &str = "https://shop.example.com/success_verify_email.html?token=signed";

async fn user(f: &Fixture, username: &str, email: Option<&str>) -> UserId {
    let new_user = NewUser {
        username: username.into(),
        mobile: None,
        email: email.map(|e| Email::parse(e).unwrap()),
        email_active: false,
        password_hash: Some("$argon2id$hash".into()),
        date_joined: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    };
    f.users.insert(new_user).await.unwrap().id
}

fn change(user: UserId, email: &str) -> EmailChange {
    let email = Email::parse(email).unwrap();
    EmailChange {
        user,
        mail: OutgoingMessage {
            channel: Channel::Email,
            to: email.to_string(),
            content: MessageContent::EmailVerification { link: LINK.into() },
        },
        audit: AuditEntry {
            user_id: Some(user),
            event: AuditEvent::EmailChanged,
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
            at: Utc::now(),
        },
        email,
    }
}

/// The messages waiting in the outbox, by recipient.
async fn queued(f: &Fixture) -> Vec<String> {
    let claimed = f.outbox.claim_due(100, Duration::from_secs(60)).await.unwrap();
    claimed.into_iter().map(|m| m.message.to).collect()
}

async fn audited(f: &Fixture, user: UserId) -> i64 {
    f.fresh.audit_events(user, "email_changed").await
}

async fn a_change_stores_the_address_unverified_queues_its_mail_and_audits_it(f: Fixture) {
    let alice = user(&f, "alice", None).await;
    let woken = f.wakeup.notified();
    let updated = f.changes.change_email(&change(alice, "alice@example.com")).await.unwrap().unwrap();
    assert_eq!((updated.email.as_ref().map(Email::as_str), updated.email_active), (Some("alice@example.com"), false));
    assert_eq!(f.users.find_by_id(alice).await.unwrap().unwrap().email, updated.email);
    tokio::time::timeout(Duration::from_secs(1), woken).await.expect("the outbox worker is woken");
    let claimed = f.outbox.claim_due(100, Duration::from_secs(60)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message, change(alice, "alice@example.com").mail);
    assert_eq!(audited(&f, alice).await, 1);
}

async fn the_verified_address_again_stays_verified_and_a_new_one_starts_unverified(f: Fixture) {
    let alice = user(&f, "alice", None).await;
    let first = Email::parse("alice@example.com").unwrap();
    f.changes.change_email(&change(alice, first.as_str())).await.unwrap();
    assert!(f.users.activate_email(alice, &first).await.unwrap());
    assert!(f.changes.change_email(&change(alice, first.as_str())).await.unwrap().unwrap().email_active);

    let second = f.changes.change_email(&change(alice, "alice@example.org")).await.unwrap().unwrap();
    assert!(!second.email_active);
    // A link for the old address no longer activates anything.
    assert!(!f.users.activate_email(alice, &first).await.unwrap());
    assert!(!f.users.find_by_id(alice).await.unwrap().unwrap().email_active);
}

async fn another_account_s_address_is_a_conflict_and_nothing_is_queued_or_audited(f: Fixture) {
    let alice = user(&f, "alice", Some("alice@example.com")).await;
    user(&f, "bob", Some("bob@example.com")).await;
    let got = f.changes.change_email(&change(alice, "BOB@example.com")).await;
    assert_eq!(got.unwrap_err(), RepoError::Conflict(Field::Email));
    let kept = f.users.find_by_id(alice).await.unwrap().unwrap();
    assert_eq!(kept.email.as_ref().map(Email::as_str), Some("alice@example.com"));
    assert_eq!(queued(&f).await, Vec::<String>::new());
    assert_eq!(audited(&f, alice).await, 0);
}

async fn an_unknown_user_changes_nothing(f: Fixture) {
    let ghost = UserId(4242);
    assert_eq!(f.changes.change_email(&change(ghost, "ghost@example.com")).await.unwrap(), None);
    assert_eq!(queued(&f).await, Vec::<String>::new());
    assert_eq!(audited(&f, ghost).await, 0);
}
