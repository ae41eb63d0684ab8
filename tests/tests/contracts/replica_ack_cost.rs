//! What confirming guarding writes with a replica (`REDIS_WAIT_REPLICAS=1`)
//! costs per request on the Redis Cluster: the same sequential code checks
//! and login reservations with confirmation off and on. A measurement, not a
//! contract: it prints its figures and asserts nothing about time. Run it with
//! `cargo test -p acceptance-tests --test contracts replica_ack_cost -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use application::ports::{
    Channel, CodeKey, CodePurpose, FailureLimits, RateLimit, RateLimiter, Settlement, VerificationCodeStore,
};
use cache::RedisCache;
use cache::redis::ReplicaAcks;
use domain::VerificationCode;
use security::{CodeDigester, ServiceSecret};
use test_support::backends::backend_url;

/// Rounds of each setting, taken in turn so a slow moment of a shared machine
/// falls on both; the median round is printed.
const ROUNDS: usize = 5;
const CALLS: u32 = 400;

async fn cache(url: &str, replicas: u32) -> RedisCache {
    let acks = ReplicaAcks { replicas, timeout: Duration::from_millis(500) };
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let digester = CodeDigester::new(&ServiceSecret::from(b"contract"));
    RedisCache::connect_confirming(url, &prefix, digester, Duration::from_secs(2), acks).await.unwrap()
}

/// Microseconds per save-and-check of a code (the check confirmed when on).
async fn code_checks(cache: &RedisCache) -> f64 {
    let code = VerificationCode::parse("123456").unwrap();
    let started = Instant::now();
    for i in 0..CALLS {
        let key = CodeKey { channel: Channel::Sms, purpose: CodePurpose::Register, target: format!("1380000{i:04}") };
        cache.save(&key, &code, Duration::from_secs(60)).await.unwrap();
        cache.check(&key, &code, 5).await.unwrap();
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS)
}

/// Microseconds per login reservation and settlement over three limits (name,
/// network, account), the places confirmed when on.
async fn reservations(cache: &RedisCache) -> f64 {
    let started = Instant::now();
    for i in 0..CALLS {
        let limits = FailureLimits {
            open: vec![
                RateLimit::new(format!("login:name:n{i}"), 5, Duration::from_secs(60)),
                RateLimit::new(format!("login:ip:10.0.{}.{}", i / 256, i % 256), 5, Duration::from_secs(60)),
            ],
            silent: vec![RateLimit::new(format!("login:user:{i}"), 5, Duration::from_secs(60))],
            patience: Duration::ZERO,
        };
        cache.reserve(&limits).await.unwrap();
        cache.settle(&limits, Settlement::Refunded).await.unwrap();
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::test]
#[ignore = "a measurement: run it by hand with --ignored --nocapture"]
async fn replica_ack_cost() {
    let Some(url) = backend_url("TEST_REDIS_CLUSTER_URL", "replica_ack_cost") else { return };
    let (off, on) = (cache(&url, 0).await, cache(&url, 1).await);
    let (mut checks, mut reserves) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    for _ in 0..ROUNDS {
        for (i, cache) in [&off, &on].into_iter().enumerate() {
            checks[i].push(code_checks(cache).await);
            reserves[i].push(reservations(cache).await);
        }
    }
    println!("| REDIS_WAIT_REPLICAS | code save + check (µs) | login reserve + settle, 3 limits (µs) |");
    println!("|---|---|---|");
    for (i, setting) in ["0", "1"].into_iter().enumerate() {
        let (check, reserve) = (median(checks[i].clone()), median(reserves[i].clone()));
        println!("| {setting} | {check:.0} | {reserve:.0} |");
    }
    off.quit().await;
    on.quit().await;
}
