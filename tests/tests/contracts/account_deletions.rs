//! The contract of account deletions, on SQLite and PostgreSQL: a deletion is
//! scheduled once; an account past its time is erased in one transaction, its
//! names free again, its tokens and bindings gone, its audit trail kept under
//! a pseudonym; two instances erasing at once erase each account once.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AccessTokenRevocations, AccountDeletions, AuditEntry, AuditEvent, AuditLog, Channel, CodePurpose, IdentityKey,
    MessageContent, MessageOutbox, NewIdentity, OAuthIdentityRepository, OAuthProvider, OutgoingMessage,
    RefreshTokenStore, UserRepository,
};
use chrono::{DateTime, TimeDelta, Utc};
use domain::{Email, LoginIdentifier, Mobile, NewUser, UserId, VerificationCode};
use security::ServiceSecret;
use storage::Database;
use tokio::sync::Notify;

use crate::{FreshDatabase, at_once, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    deletions: Arc<dyn AccountDeletions>,
    /// A second pool on the same tables: another instance's retention job.
    other_instance: Arc<dyn AccountDeletions>,
    users: Arc<dyn UserRepository>,
    identities: Arc<dyn OAuthIdentityRepository>,
    refresh_tokens: Arc<dyn RefreshTokenStore>,
    revocations: Arc<dyn AccessTokenRevocations>,
    outbox: Arc<dyn MessageOutbox>,
    audit: Arc<dyn AuditLog>,
    fresh: FreshDatabase,
}

async fn fixture(fresh: FreshDatabase) -> Fixture {
    let other = fresh.another_instance().await;
    let database = &fresh.database;
    Fixture {
        deletions: database.account_deletions(),
        other_instance: other.account_deletions(),
        users: database.users(),
        identities: database.oauth_identities(),
        refresh_tokens: database.refresh_tokens(&ServiceSecret::from(b"contract-suite-secret")),
        revocations: database.access_token_revocations(),
        outbox: database.outbox(Arc::new(Notify::new())),
        audit: database.audit_log(),
        fresh,
    }
}

async fn sqlite(_test: &str) -> Option<Fixture> {
    Some(fixture(fresh_sqlite().await?).await)
}

async fn postgres(test: &str) -> Option<Fixture> {
    Some(fixture(fresh_postgres(test).await?).await)
}

/// Through PgBouncer in transaction mode.
async fn pooled_postgres(test: &str) -> Option<Fixture> {
    Some(fixture(fresh_pooled_postgres(test).await?).await)
}

contract_suite!(
    suite: "account_deletions",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_deletion_is_scheduled_once_and_an_unknown_account_has_none,
        only_an_account_past_its_time_is_erased,
        an_erased_account_s_names_are_free_and_its_tokens_and_bindings_gone,
        the_audit_trail_keeps_an_erased_account_only_under_its_pseudonym,
        settled_messages_to_an_erased_account_go_and_pending_ones_stay,
        two_instances_erasing_at_once_erase_each_account_once,
    ]
);

/// Whole seconds: every backend stores them exactly.
fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

fn account(n: u32) -> NewUser {
    NewUser {
        username: format!("user_{n}"),
        mobile: Some(Mobile::parse(&format!("1380013{n:04}")).unwrap()),
        email: Some(Email::parse(&format!("user{n}@example.com")).unwrap()),
        email_active: true,
        password_hash: Some("$argon2id$stored".into()),
        date_joined: at(),
    }
}

/// An account scheduled for erasure at `at()`.
async fn scheduled(f: &Fixture, n: u32) -> UserId {
    let user = f.users.insert(account(n)).await.unwrap().id;
    assert_eq!(f.deletions.schedule(user, at()).await.unwrap(), Some(at()));
    user
}

fn after() -> DateTime<Utc> {
    at() + TimeDelta::seconds(1)
}

async fn a_deletion_is_scheduled_once_and_an_unknown_account_has_none(f: Fixture) {
    let user = scheduled(&f, 1).await;
    let later = at() + TimeDelta::days(3);
    assert_eq!(f.deletions.schedule(user, later).await.unwrap(), Some(at()), "the earlier request's time stands");
    assert_eq!(f.deletions.schedule(UserId(user.0 + 1000), later).await.unwrap(), None);
}

async fn only_an_account_past_its_time_is_erased(f: Fixture) {
    let user = scheduled(&f, 1).await;
    f.users.insert(account(2)).await.unwrap();
    assert_eq!(f.deletions.erase_next_due(at(), "erased:early").await.unwrap(), None, "not before its time");
    let erased = f.deletions.erase_next_due(after(), "erased:1").await.unwrap().unwrap();
    assert_eq!((erased.user, erased.pseudonym.as_str()), (user, "erased:1"));
    // What it was reached by, for its pending codes to go too.
    assert_eq!(erased.mobile.as_deref(), Some("13800130001"));
    assert_eq!(erased.emails, vec!["user1@example.com".to_owned()]);
    assert_eq!(f.deletions.erase_next_due(after(), "erased:2").await.unwrap(), None, "the other was never scheduled");
    assert_eq!(f.fresh.rows("users").await, 1);
}

async fn an_erased_account_s_names_are_free_and_its_tokens_and_bindings_gone(f: Fixture) {
    let user = scheduled(&f, 1).await;
    let key = IdentityKey { provider: OAuthProvider::Qq, app_id: "app".into(), openid: "OPENID".into() };
    f.identities.bind(&NewIdentity { key: key.clone(), unionid: None }, user, at()).await.unwrap();
    f.refresh_tokens.create(user, Duration::from_secs(3600)).await.unwrap();
    f.revocations.revoke(user, "jti-1", Utc::now() + TimeDelta::days(1)).await.unwrap();

    assert!(f.deletions.erase_next_due(after(), "erased:1").await.unwrap().is_some());

    assert_eq!(f.users.find_by_id(user).await.unwrap(), None);
    let mobile = Mobile::parse("13800130001").unwrap();
    assert_eq!(f.users.find_by_login(&LoginIdentifier::Mobile(mobile.clone())).await.unwrap(), None);
    assert!(!f.users.mobile_exists(&mobile).await.unwrap());
    assert!(!f.users.username_exists("user_1").await.unwrap());
    assert!(!f.users.email_exists(&Email::parse("user1@example.com").unwrap()).await.unwrap());
    assert_eq!(f.identities.find(&key).await.unwrap(), None);
    for table in ["refresh_tokens", "revoked_access_tokens", "oauth_identities"] {
        assert_eq!(f.fresh.rows(table).await, 0, "{table}");
    }
    // The names register again.
    let again = f.users.insert(account(1)).await.unwrap();
    assert_ne!(again.id, user, "ids are never reused, so the old tokens name nobody");
}

async fn the_audit_trail_keeps_an_erased_account_only_under_its_pseudonym(f: Fixture) {
    let user = scheduled(&f, 1).await;
    let other = f.users.insert(account(2)).await.unwrap().id;
    for who in [user, user, other] {
        let entry = AuditEntry::new(Some(who), AuditEvent::LoginSucceeded, IP, at());
        f.audit.record(entry).await.unwrap();
    }

    f.deletions.erase_next_due(after(), "erased:0123").await.unwrap().unwrap();

    let trail = trail(&f).await;
    let expected = [
        (None, Some("erased:0123".to_owned()), "login_succeeded".to_owned()),
        (None, Some("erased:0123".to_owned()), "login_succeeded".to_owned()),
        (Some(other.0), None, "login_succeeded".to_owned()),
        (None, Some("erased:0123".to_owned()), "account_erased".to_owned()),
    ];
    assert_eq!(trail, expected);
}

/// Every audit row, oldest first: (user_id, subject, event).
async fn trail(f: &Fixture) -> Vec<(Option<i64>, Option<String>, String)> {
    const READ: &str = "SELECT user_id, subject, event FROM audit_events ORDER BY id";
    match &f.fresh.database {
        Database::Sqlite(pool) => sqlx::query_as(READ).fetch_all(pool).await.unwrap(),
        Database::Postgres(pool) => sqlx::query_as(READ).fetch_all(pool).await.unwrap(),
    }
}

async fn settled_messages_to_an_erased_account_go_and_pending_ones_stay(f: Fixture) {
    scheduled(&f, 1).await;
    for to in ["13800130001", "13800130001", "13800139999"] {
        let content = MessageContent::Code {
            purpose: CodePurpose::ResetPassword,
            code: VerificationCode::parse("123456").unwrap(),
        };
        f.outbox.enqueue(OutgoingMessage { channel: Channel::Sms, to: to.into(), content }).await.unwrap();
    }
    // The first two are settled; the third (another person's) too; the one queued after stays pending.
    let settle = "UPDATE outbox_messages SET status = 'sent'";
    match &f.fresh.database {
        Database::Sqlite(pool) => sqlx::query(settle).execute(pool).await.map(|_| ()).unwrap(),
        Database::Postgres(pool) => sqlx::query(settle).execute(pool).await.map(|_| ()).unwrap(),
    }
    let content =
        MessageContent::Code { purpose: CodePurpose::Register, code: VerificationCode::parse("654321").unwrap() };
    f.outbox.enqueue(OutgoingMessage { channel: Channel::Sms, to: "13800130001".into(), content }).await.unwrap();

    f.deletions.erase_next_due(after(), "erased:1").await.unwrap().unwrap();

    assert_eq!(f.fresh.rows("outbox_messages").await, 2, "another person's message and the pending one");
}

async fn two_instances_erasing_at_once_erase_each_account_once(f: Fixture) {
    const ACCOUNTS: u32 = 40;
    for n in 0..ACCOUNTS {
        scheduled(&f, n).await;
    }
    // Each instance erases until it finds nothing it may take.
    let drain = |deletions: Arc<dyn AccountDeletions>, instance: u32| async move {
        let mut erased = Vec::new();
        for n in 0.. {
            match deletions.erase_next_due(after(), &format!("erased:{instance}-{n}")).await.unwrap() {
                Some(account) => erased.push(account.user),
                None => break,
            }
        }
        erased
    };

    let instances = [(f.deletions.clone(), 1), (f.other_instance.clone(), 2)];
    let erased: Vec<UserId> =
        at_once(instances, |(deletions, instance)| drain(deletions, instance)).await.into_iter().flatten().collect();

    let mut unique = erased.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((erased.len(), unique.len()), (ACCOUNTS as usize, ACCOUNTS as usize));
    assert_eq!(f.fresh.rows("users").await, 0);
    let erasures = trail(&f).await.into_iter().filter(|(_, _, event)| event == "account_erased").count();
    assert_eq!(erasures, ACCOUNTS as usize);
}
