//! The contract of the email change store, on SQLite and PostgreSQL: the
//! pending address, its verification mail and the audit entry, all or none.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AuditEntry, AuditEvent, Channel, EmailChange, EmailChangeStore, MessageContent, MessageOutbox, OutgoingMessage,
    RepoError, UniqueKey, UserRepository,
};
use chrono::{DateTime, Utc};
use domain::{Email, NewUser, UserId};
use tokio::sync::Notify;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

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

/// Through PgBouncer in transaction mode.
async fn pooled_postgres(test: &str) -> Option<Fixture> {
    fresh_pooled_postgres(test).await.map(Fixture::from)
}

contract_suite!(
    suite: "email_change_store",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_change_stores_the_address_pending_queues_its_mail_and_audits_it,
        the_verified_address_stays_until_a_new_one_is_verified,
        another_account_s_address_is_stored_pending_and_verifying_decides,
        an_unknown_user_changes_nothing,
    ]
);

const LINK: &str = "https://shop.example.com/success_verify_email.html?token=signed";

/// A user whose `email`, if any, is verified (registered with an email code).
async fn user(f: &Fixture, username: &str, email: Option<&str>) -> UserId {
    let new_user = NewUser {
        username: username.into(),
        mobile: None,
        email: email.map(|e| Email::parse(e).unwrap()),
        email_active: email.is_some(),
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
        audit: AuditEntry::new(
            Some(user),
            AuditEvent::EmailChanged,
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
            Utc::now(),
        ),
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

fn address(email: Option<&Email>) -> Option<&str> {
    email.map(Email::as_str)
}

async fn a_change_stores_the_address_pending_queues_its_mail_and_audits_it(f: Fixture) {
    let alice = user(&f, "alice", None).await;
    let woken = f.wakeup.notified();
    let updated = f.changes.change_email(&change(alice, "alice@example.com")).await.unwrap().unwrap();
    assert_eq!(
        (address(updated.email.as_ref()), address(updated.pending_email.as_ref())),
        (None, Some("alice@example.com"))
    );
    assert_eq!(f.users.find_by_id(alice).await.unwrap().unwrap(), updated);
    tokio::time::timeout(Duration::from_secs(1), woken).await.expect("the outbox worker is woken");
    let claimed = f.outbox.claim_due(100, Duration::from_secs(60)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message, change(alice, "alice@example.com").mail);
    assert_eq!(audited(&f, alice).await, 1);
}

async fn the_verified_address_stays_until_a_new_one_is_verified(f: Fixture) {
    let alice = user(&f, "alice", None).await;
    let first = Email::parse("alice@example.com").unwrap();
    f.changes.change_email(&change(alice, first.as_str())).await.unwrap();
    assert!(f.users.activate_email(alice, &first, 0).await.unwrap());
    // The verified address again waits for nothing.
    let again = f.changes.change_email(&change(alice, first.as_str())).await.unwrap().unwrap();
    assert_eq!((again.email.as_ref(), again.pending_email.as_ref()), (Some(&first), None));

    let second = f.changes.change_email(&change(alice, "alice@example.org")).await.unwrap().unwrap();
    assert_eq!(
        (address(second.email.as_ref()), address(second.pending_email.as_ref())),
        (Some("alice@example.com"), Some("alice@example.org"))
    );
    // Until the new address is verified, the old one still logs in.
    let by_first = f.users.find_by_login(&domain::LoginIdentifier::Email(first.clone())).await.unwrap();
    assert_eq!(by_first.map(|u| u.id), Some(alice));
    let second_email = Email::parse("alice@example.org").unwrap();
    assert!(f.users.activate_email(alice, &second_email, 0).await.unwrap());
    let now = f.users.find_by_id(alice).await.unwrap().unwrap();
    assert_eq!((now.email.as_ref(), now.pending_email.as_ref()), (Some(&second_email), None));
    // A link for the replaced address verifies nothing, and it is free again.
    assert!(!f.users.activate_email(alice, &first, 0).await.unwrap());
    assert!(!f.users.email_exists(&first).await.unwrap());
}

async fn another_account_s_address_is_stored_pending_and_verifying_decides(f: Fixture) {
    let alice = user(&f, "alice", Some("alice@example.com")).await;
    let bob = user(&f, "bob", Some("bob@example.com")).await;
    let carol = user(&f, "carol", None).await;
    // Neither a verified nor a pending address of another account blocks the change itself.
    let got = f.changes.change_email(&change(alice, "BOB@example.com")).await.unwrap().unwrap();
    assert_eq!(address(got.pending_email.as_ref()), Some("bob@example.com"));
    f.changes.change_email(&change(carol, "bob@example.com")).await.unwrap().unwrap();
    assert_eq!(queued(&f).await.len(), 2);
    // Verifying it does not take it from bob.
    let taken = Email::parse("bob@example.com").unwrap();
    assert_eq!(f.users.activate_email(alice, &taken, 0).await.unwrap_err(), RepoError::Conflict(UniqueKey::Email));
    assert_eq!(f.users.activate_email(carol, &taken, 0).await.unwrap_err(), RepoError::Conflict(UniqueKey::Email));
    let kept = f.users.find_by_id(alice).await.unwrap().unwrap();
    assert_eq!(address(kept.email.as_ref()), Some("alice@example.com"));
    let owner = f.users.find_by_login(&domain::LoginIdentifier::Email(taken)).await.unwrap();
    assert_eq!(owner.map(|u| u.id), Some(bob));
}

async fn an_unknown_user_changes_nothing(f: Fixture) {
    let ghost = UserId(4242);
    assert_eq!(f.changes.change_email(&change(ghost, "ghost@example.com")).await.unwrap(), None);
    assert_eq!(queued(&f).await, Vec::<String>::new());
    assert_eq!(audited(&f, ghost).await, 0);
}
