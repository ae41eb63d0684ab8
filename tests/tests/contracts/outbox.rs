//! The contract of the durable outbox, on SQLite and PostgreSQL.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use application::ports::{AttemptOutcome, Channel, CodePurpose, MessageContent, MessageOutbox, OutgoingMessage};
use chrono::{TimeDelta, Utc};
use domain::VerificationCode;
use tokio::sync::Notify;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    outbox: Arc<dyn MessageOutbox>,
    /// A second pool on the same table: another instance's worker.
    other_instance: Arc<dyn MessageOutbox>,
    wakeup: Arc<Notify>,
    fresh: FreshDatabase,
}

async fn fixture(fresh: FreshDatabase) -> Fixture {
    let other = fresh.another_instance().await;
    let wakeup = Arc::new(Notify::new());
    Fixture {
        outbox: fresh.database.outbox(wakeup.clone()),
        other_instance: other.outbox(Arc::new(Notify::new())),
        wakeup,
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
    suite: "outbox",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        an_enqueued_message_is_claimed_once_and_wakes_the_worker,
        a_crashed_worker_s_message_comes_back_when_its_lease_ends,
        settled_messages_are_never_claimed_again,
        a_retry_waits_until_it_is_due,
        concurrent_workers_claim_each_message_exactly_once,
        every_kind_of_content_comes_back_as_it_was_queued,
        each_provider_try_is_recorded_in_the_row_in_order,
    ]
);

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

const LEASE: Duration = Duration::from_secs(60);

async fn every_kind_of_content_comes_back_as_it_was_queued(f: Fixture) {
    let reset = OutgoingMessage {
        channel: Channel::Email,
        to: "someone@example.com".into(),
        content: MessageContent::Code {
            purpose: CodePurpose::ResetPassword,
            code: VerificationCode::parse("654321").unwrap(),
        },
    };
    let verification = OutgoingMessage {
        channel: Channel::Email,
        to: "someone@example.com".into(),
        content: MessageContent::EmailVerification {
            link: "https://shop.example.com/success_verify_email.html?token=abc".into(),
        },
    };
    f.outbox.enqueue(reset.clone()).await.unwrap();
    f.outbox.enqueue(verification.clone()).await.unwrap();
    let claimed = f.outbox.claim_due(10, LEASE).await.unwrap();
    let messages: Vec<_> = claimed.into_iter().map(|claimed| claimed.message).collect();
    assert_eq!(messages, [reset, verification]);
}

async fn an_enqueued_message_is_claimed_once_and_wakes_the_worker(f: Fixture) {
    let woken = f.wakeup.notified();
    f.outbox.enqueue(message("13800138000")).await.unwrap();
    tokio::time::timeout(Duration::from_secs(1), woken).await.expect("enqueue wakes the worker");
    let claimed = f.outbox.claim_due(10, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempt, 1);
    assert_eq!(claimed[0].message, message("13800138000"));
    assert!(f.outbox.claim_due(10, LEASE).await.unwrap().is_empty());
    assert!(f.other_instance.claim_due(10, LEASE).await.unwrap().is_empty());
}

async fn a_crashed_worker_s_message_comes_back_when_its_lease_ends(f: Fixture) {
    f.outbox.enqueue(message("13800138000")).await.unwrap();
    let first = f.outbox.claim_due(10, Duration::from_millis(100)).await.unwrap();
    assert_eq!(first.len(), 1);
    // The worker "crashes": it never marks the message.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let again = f.other_instance.claim_due(10, LEASE).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempt), (first[0].id, 2));
}

async fn settled_messages_are_never_claimed_again(f: Fixture) {
    f.outbox.enqueue(message("13800000001")).await.unwrap();
    f.outbox.enqueue(message("13800000002")).await.unwrap();
    let claimed = f.outbox.claim_due(10, Duration::from_millis(50)).await.unwrap();
    assert_eq!(claimed.len(), 2);
    f.outbox.mark_sent(claimed[0].id).await.unwrap();
    f.outbox.mark_dead(claimed[1].id, "rejected").await.unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(f.outbox.claim_due(10, LEASE).await.unwrap().is_empty());
}

async fn a_retry_waits_until_it_is_due(f: Fixture) {
    f.outbox.enqueue(message("13800138000")).await.unwrap();
    let claimed = f.outbox.claim_due(10, LEASE).await.unwrap();
    // Far enough ahead that a busy machine's next claim comes before it.
    let retry_at = Utc::now() + TimeDelta::seconds(1);
    f.outbox.mark_retry(claimed[0].id, retry_at, "provider busy").await.unwrap();
    assert!(f.outbox.claim_due(10, LEASE).await.unwrap().is_empty());
    let deadline = Utc::now() + TimeDelta::seconds(15);
    let retried = loop {
        let retried = f.outbox.claim_due(10, LEASE).await.unwrap();
        if !retried.is_empty() {
            // Times are stored to the millisecond: a claim may come a little short of `retry_at`.
            assert!(Utc::now() + TimeDelta::milliseconds(1) >= retry_at, "claimed before it was due");
            break retried;
        }
        assert!(Utc::now() < deadline, "the retry was not claimed within 15 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((retried.len(), retried[0].attempt), (1, 2));
}

async fn concurrent_workers_claim_each_message_exactly_once(f: Fixture) {
    for i in 0..40 {
        f.outbox.enqueue(message(&format!("1380000{i:04}"))).await.unwrap();
    }
    let workers: Vec<_> = (0..4)
        .map(|i| {
            let outbox = if i % 2 == 0 { f.outbox.clone() } else { f.other_instance.clone() };
            tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let batch = outbox.claim_due(3, LEASE).await.unwrap();
                    if batch.is_empty() {
                        break ids;
                    }
                    ids.extend(batch.iter().map(|m| m.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 40, "every message claimed exactly once");
    assert_eq!(distinct.len(), 40);
}

async fn each_provider_try_is_recorded_in_the_row_in_order(f: Fixture) {
    f.outbox.enqueue(message("13800138000")).await.unwrap();
    let attempts = f.fresh.database.provider_attempts();
    let first = f.outbox.claim_due(10, Duration::from_secs(60)).await.unwrap().remove(0);
    assert_eq!(f.fresh.provider_attempts(first.id).await, "", "nothing before a provider tried");
    attempts.record(Some(&first), "aliyun", AttemptOutcome::Unavailable).await;
    attempts.record(Some(&first), "tencent", AttemptOutcome::Temporary).await;
    f.outbox.mark_retry(first.id, Utc::now(), "tencent sms: busy").await.unwrap();
    let second = f.outbox.claim_due(10, Duration::from_secs(60)).await.unwrap().remove(0);
    attempts.record(Some(&second), "aliyun", AttemptOutcome::Sent).await;
    // A message sent outside the outbox has no row to record in.
    attempts.record(None, "aliyun", AttemptOutcome::Sent).await;
    f.outbox.mark_sent(second.id).await.unwrap();

    assert_eq!(f.fresh.provider_attempts(first.id).await, "1 aliyun unavailable, 1 tencent temporary, 2 aliyun sent");
}
