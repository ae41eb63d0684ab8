//! The contract of the retention job's store, on SQLite and PostgreSQL: what is old goes,
//! a bounded batch at a time; what is recent or still pending stays; two instances
//! purging at once remove each row once and fail nowhere.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use application::REVOCATION_RETENTION_MARGIN;
use application::ports::{
    AccessTokenRevocations, AuditEntry, AuditEvent, AuditLog, Channel, CodePurpose, DataRetention, MessageContent,
    MessageOutbox, OutgoingMessage, RefreshTokenStore, Rotation, UserRepository,
};
use chrono::{DateTime, TimeDelta, Utc};
use domain::{NewUser, UserId, VerificationCode};
use security::ServiceSecret;
use storage::Database;
use tokio::sync::Notify;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    retention: Arc<dyn DataRetention>,
    /// A second pool on the same tables: another instance's retention job.
    other_instance: Arc<dyn DataRetention>,
    users: Arc<dyn UserRepository>,
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
        retention: database.data_retention(),
        other_instance: other.data_retention(),
        users: database.users(),
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
    suite: "data_retention",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_refresh_token_goes_once_its_whole_family_has_expired,
        a_revocation_goes_once_its_token_has_expired,
        a_revocation_outlives_its_token_by_the_margin,
        settled_outbox_messages_go_after_their_age_and_pending_ones_stay,
        audit_events_go_after_their_age,
        account_change_log_rows_go_after_their_age,
        each_purge_removes_at_most_its_limit,
        two_instances_purging_at_once_remove_each_row_once,
    ]
);

const HOUR: TimeDelta = TimeDelta::hours(1);
const LIMIT: u32 = 100;

async fn user(f: &Fixture) -> UserId {
    let new = NewUser {
        username: "alice".into(),
        mobile: None,
        email: None,
        email_active: false,
        password_hash: None,
        date_joined: Utc::now(),
    };
    f.users.insert(new).await.unwrap().id
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 60 * 60)
}

async fn audit_at(f: &Fixture, at: DateTime<Utc>) {
    let entry = AuditEntry::new(None, AuditEvent::LoginFailed, IpAddr::V4(Ipv4Addr::LOCALHOST), at);
    f.audit.record(entry).await.unwrap();
}

async fn a_refresh_token_goes_once_its_whole_family_has_expired(f: Fixture) {
    let id = user(&f).await;
    // A family of two: the first member expires in 1 h, its successor in 5 h.
    let first = f.refresh_tokens.create(id, hours(1)).await.unwrap();
    let rotation = f.refresh_tokens.rotate(&first, Duration::ZERO, hours(5), &crate::refresh_origin()).await.unwrap();
    assert!(matches!(rotation, Rotation::Rotated { .. }), "{rotation:?}");
    f.refresh_tokens.create(id, hours(1)).await.unwrap();
    f.refresh_tokens.create(id, hours(10)).await.unwrap();
    let now = Utc::now();

    assert_eq!(f.retention.purge_expired_refresh_tokens(now, LIMIT).await.unwrap(), 0);
    // In 2 h: the lone 1 h token is dead; the first member of the family is expired, but
    // its successor lives, so the family's replay detection keeps it.
    assert_eq!(f.retention.purge_expired_refresh_tokens(now + HOUR * 2, LIMIT).await.unwrap(), 1);
    assert_eq!(f.fresh.rows("refresh_tokens").await, 3);
    assert_eq!(f.retention.purge_expired_refresh_tokens(now + HOUR * 6, LIMIT).await.unwrap(), 2);
    assert_eq!(f.fresh.rows("refresh_tokens").await, 1);
}

async fn a_revocation_goes_once_its_token_has_expired(f: Fixture) {
    let id = user(&f).await;
    let now = Utc::now();
    f.revocations.revoke(id, "jti-short", now + HOUR).await.unwrap();
    f.revocations.revoke(id, "jti-long", now + HOUR * 3).await.unwrap();

    assert_eq!(f.retention.purge_expired_access_token_revocations(now, LIMIT).await.unwrap(), 0);
    assert_eq!(f.retention.purge_expired_access_token_revocations(now + HOUR * 2, LIMIT).await.unwrap(), 1);

    assert!(!f.revocations.standing(id, "jti-short", None).await.unwrap().unwrap().revoked);
    assert!(f.revocations.standing(id, "jti-long", None).await.unwrap().unwrap().revoked);
}

async fn a_revocation_outlives_its_token_by_the_margin(f: Fixture) {
    let id = user(&f).await;
    let margin = TimeDelta::from_std(REVOCATION_RETENTION_MARGIN).unwrap();
    assert!(margin >= TimeDelta::seconds(60), "at least the clock skew tolerated between instances");
    let now = Utc::now();
    // The one beyond the margin comes last: each revocation first drops those beyond it.
    f.revocations.revoke(id, "jti-within", now - margin + TimeDelta::seconds(5)).await.unwrap();
    f.revocations.revoke(id, "jti-just", now - TimeDelta::milliseconds(1)).await.unwrap();
    f.revocations.revoke(id, "jti-beyond", now - margin - TimeDelta::seconds(5)).await.unwrap();

    assert_eq!(f.retention.purge_expired_access_token_revocations(now, LIMIT).await.unwrap(), 1);

    assert!(f.revocations.standing(id, "jti-within", None).await.unwrap().unwrap().revoked);
    assert!(f.revocations.standing(id, "jti-just", None).await.unwrap().unwrap().revoked);
    assert!(!f.revocations.standing(id, "jti-beyond", None).await.unwrap().unwrap().revoked);
}

fn message(to: &str) -> OutgoingMessage {
    OutgoingMessage {
        channel: Channel::Sms,
        to: to.into(),
        content: MessageContent::Code {
            purpose: CodePurpose::Register,
            code: VerificationCode::parse("123456").unwrap(),
        },
    }
}

async fn settled_outbox_messages_go_after_their_age_and_pending_ones_stay(f: Fixture) {
    for to in ["13800000001", "13800000002"] {
        f.outbox.enqueue(message(to)).await.unwrap();
    }
    let claimed = f.outbox.claim_due(10, Duration::from_secs(60)).await.unwrap();
    f.outbox.mark_sent(claimed[0].id).await.unwrap();
    f.outbox.mark_dead(claimed[1].id, "InvalidParameter").await.unwrap();
    f.outbox.enqueue(message("13800000003")).await.unwrap();
    let now = Utc::now();

    // Settled, but younger than the cutoff: kept.
    assert_eq!(f.retention.purge_settled_outbox_messages(now - HOUR, LIMIT).await.unwrap(), 0);
    // Older than the cutoff: the sent and the dead one go, the pending one stays and is still delivered.
    assert_eq!(f.retention.purge_settled_outbox_messages(now + HOUR, LIMIT).await.unwrap(), 2);
    assert_eq!(f.fresh.rows("outbox_messages").await, 1);
    let pending = f.outbox.claim_due(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(pending.iter().map(|m| m.message.to.as_str()).collect::<Vec<_>>(), ["13800000003"]);
}

async fn audit_events_go_after_their_age(f: Fixture) {
    let now = Utc::now();
    audit_at(&f, now - TimeDelta::days(200)).await;
    audit_at(&f, now - TimeDelta::days(181)).await;
    audit_at(&f, now - TimeDelta::days(10)).await;
    audit_at(&f, now).await;

    assert_eq!(f.retention.purge_audit_events(now - TimeDelta::days(180), LIMIT).await.unwrap(), 2);

    assert_eq!(f.fresh.rows("audit_events").await, 2);
}

async fn each_purge_removes_at_most_its_limit(f: Fixture) {
    let old = Utc::now() - TimeDelta::days(365);
    for _ in 0..7 {
        audit_at(&f, old).await;
    }
    let before = Utc::now() - TimeDelta::days(180);

    let mut batches = Vec::new();
    for _ in 0..4 {
        batches.push(f.retention.purge_audit_events(before, 3).await.unwrap());
    }

    assert_eq!(batches, [3, 3, 1, 0]);
}

async fn two_instances_purging_at_once_remove_each_row_once(f: Fixture) {
    const ROWS: u64 = 200;
    let old = Utc::now() - TimeDelta::days(365);
    for _ in 0..ROWS {
        audit_at(&f, old).await;
    }
    let before = Utc::now() - TimeDelta::days(180);
    // Each instance purges in small batches until it finds nothing it may take.
    let drain = |retention: Arc<dyn DataRetention>| async move {
        let mut removed = 0;
        loop {
            match retention.purge_audit_events(before, 4).await.unwrap() {
                0 => break removed,
                batch => removed += batch,
            }
        }
    };

    let (one, other) =
        tokio::join!(tokio::spawn(drain(f.retention.clone())), tokio::spawn(drain(f.other_instance.clone())));

    assert_eq!(one.unwrap() + other.unwrap(), ROWS);
    assert_eq!(f.fresh.rows("audit_events").await, 0);
}

async fn account_change_log_rows_go_after_their_age(f: Fixture) {
    let id = user(&f).await;
    f.revocations.revoke_all(id).await.unwrap();
    f.revocations.revoke_all(id).await.unwrap();
    assert_eq!(f.fresh.rows("account_changes").await, 3, "the new account and two sign-outs everywhere");
    let age_out = "UPDATE account_changes SET at = at - 7200000 WHERE seq IN (SELECT seq FROM account_changes ORDER BY seq LIMIT 2)";
    match &f.fresh.database {
        Database::Sqlite(pool) => sqlx::query(age_out).execute(pool).await.map(|_| ()).unwrap(),
        Database::Postgres(pool) => sqlx::query(age_out).execute(pool).await.map(|_| ()).unwrap(),
    }
    assert_eq!(f.retention.purge_account_changes(Utc::now() - HOUR, LIMIT).await.unwrap(), 2);
    assert_eq!(f.fresh.rows("account_changes").await, 1, "the recent row stays");
}
