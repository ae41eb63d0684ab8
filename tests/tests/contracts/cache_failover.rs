//! The writes that guard a single use or count a guess outlive a Redis
//! Cluster failover: with `REDIS_WAIT_REPLICAS=1`, a write whose replica
//! cannot confirm it is not let through (503), so when the master dies
//! before replicating it, the promoted replica's older state lets the
//! secret through once in all, never twice.
//!
//! Each test cuts the replica of the master holding its key off (frozen,
//! its link dropped), so the write cannot reach it; uses the secret; kills the master; lets the
//! replica go on and waits for its promotion; restarts the dead node (it
//! rejoins as the new master's replica, so writes can be confirmed again);
//! and uses the secret again. The tests take turns: six Redis servers each.

use std::future::Future;
use std::time::{Duration, Instant};

use application::ports::{
    CacheError, CaptchaStore, Channel, CodeCheck, CodeKey, CodePurpose, FailureLimits, RateDecision, RateLimit,
    RateLimiter, Reservation, Settlement, VerificationCodeStore,
};
use cache::RedisCache;
use cache::redis::ReplicaAcks;
use domain::{CaptchaId, CaptchaText, VerificationCode};
use security::{CodeDigester, ServiceSecret};
use test_support::redis_cluster::RedisCluster;

/// Confirmation by one replica within 200 ms, as `REDIS_WAIT_REPLICAS=1` asks.
const ONE_REPLICA: ReplicaAcks = ReplicaAcks { replicas: 1, timeout: Duration::from_millis(200) };

struct Failover {
    cluster: RedisCluster,
    cache: RedisCache,
    prefix: String,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Failover {
    async fn start(test: &str, acks: ReplicaAcks) -> Option<Self> {
        static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let turn = TURNS.lock().await;
        let cluster = RedisCluster::start(test).await?;
        let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
        let digester = CodeDigester::new(&ServiceSecret::from(b"contract"));
        let cache = RedisCache::connect_confirming(&cluster.url(), &prefix, digester, Duration::from_secs(5), acks)
            .await
            .expect("connect to the cluster");
        Some(Self { cluster, cache, prefix, _turn: turn })
    }

    /// Uses the secret stored under `key` (without the prefix) once with its
    /// replica frozen, once after its master died and the replica took over;
    /// `use_once` answers whether it let the secret through. Returns how many
    /// times it did.
    async fn uses_across_a_failover<F, Fut>(mut self, key: &str, use_once: F) -> usize
    where
        F: Fn(RedisCache) -> Fut,
        Fut: Future<Output = (RedisCache, Result<bool, CacheError>)>,
    {
        let master = self.cluster.master_of(&format!("{}{key}", self.prefix));
        let replica = self.cluster.replica_of(master);
        // What was stored before (the code, the captcha) is on the replica; what the use writes will not be.
        self.cluster.wait_for_replication(master).await;
        self.cluster.cut_replication(master, replica);
        let (cache, first) = use_once(self.cache).await;
        let mut through = usize::from(matches!(first, Ok(true)));
        self.cluster.kill(master);
        self.cluster.resume(replica);
        self.cluster.wait_for_promotion(master, Duration::from_secs(30)).await;
        self.cluster.restart(master).await;
        // The client finds the new master on its own; until it does, 503.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut cache = cache;
        loop {
            let (back, again) = use_once(cache).await;
            cache = back;
            match again {
                Ok(let_through) => {
                    through += usize::from(let_through);
                    break;
                }
                Err(error) => assert!(Instant::now() < deadline, "the cache did not recover: {error}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        cache.quit().await;
        through
    }
}

fn register_code_key(target: &str) -> CodeKey {
    CodeKey { channel: Channel::Sms, purpose: CodePurpose::Register, target: target.into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_code_is_not_accepted_again_after_a_failover() {
    let Some(failover) = Failover::start("cache_failover::spent_code", ONE_REPLICA).await else { return };
    let code = VerificationCode::parse("123456").unwrap();
    failover.cache.save(&register_code_key("13800138000"), &code, Duration::from_secs(300)).await.unwrap();
    let uses = failover
        .uses_across_a_failover("code:sms:register:13800138000", |cache| async {
            let check = cache.check(&register_code_key("13800138000"), &code, 5).await;
            (cache, check.map(|outcome| outcome == CodeCheck::Accepted))
        })
        .await;
    assert_eq!(uses, 1, "the code is accepted once in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_code_that_burnt_the_last_attempt_is_not_forgotten_by_a_failover() {
    let Some(failover) = Failover::start("cache_failover::code_attempts", ONE_REPLICA).await else { return };
    let right = VerificationCode::parse("123456").unwrap();
    let wrong = VerificationCode::parse("654321").unwrap();
    failover.cache.save(&register_code_key("13800138001"), &right, Duration::from_secs(300)).await.unwrap();
    // One attempt allowed: a guess answered at all is the one guess.
    let tries = std::sync::atomic::AtomicUsize::new(0);
    let guesses = failover
        .uses_across_a_failover("code:sms:register:13800138001", |cache| {
            let guess = if tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 { &wrong } else { &right };
            async move {
                let check = cache.check(&register_code_key("13800138001"), guess, 1).await;
                (cache, check.map(|outcome| outcome != CodeCheck::Missing))
            }
        })
        .await;
    assert_eq!(guesses, 1, "one guess answered in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_captcha_is_not_taken_again_after_a_failover() {
    let Some(failover) = Failover::start("cache_failover::captcha", ONE_REPLICA).await else { return };
    let id = CaptchaId::parse(&uuid::Uuid::new_v4().to_string()).unwrap();
    let text = CaptchaText::parse("ABCD").unwrap();
    failover.cache.put(&id, &text, Duration::from_secs(300)).await.unwrap();
    let takes = failover
        .uses_across_a_failover(&format!("captcha:{id}"), |cache| async {
            let taken = cache.take(&id).await;
            (cache, taken.map(|text| text.is_some()))
        })
        .await;
    assert_eq!(takes, 1, "the captcha is checked once in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_use_token_is_not_used_again_after_a_failover() {
    let Some(failover) = Failover::start("cache_failover::single_use", ONE_REPLICA).await else { return };
    let once = RateLimit::new("flow:used:jti-1", 1, Duration::from_secs(300)).durable();
    let uses = failover
        .uses_across_a_failover("rate:{flow:used:jti-1}", |cache| async {
            let decision = cache.acquire(std::slice::from_ref(&once)).await;
            (cache, decision.map(|decision| decision == RateDecision::Allowed))
        })
        .await;
    assert_eq!(uses, 1, "the token is used once in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counted_wrong_password_is_not_forgotten_by_a_failover() {
    let Some(failover) = Failover::start("cache_failover::login_failures", ONE_REPLICA).await else { return };
    // One failure allowed per window: a password checked at all is the one try.
    let limits = FailureLimits {
        open: vec![RateLimit::new("login:name:alice", 1, Duration::from_secs(900))],
        silent: vec![],
        patience: Duration::ZERO,
    };
    let checks = failover
        .uses_across_a_failover("rate:{login:name:alice}", |cache| async {
            let reservation = cache.reserve(&limits).await;
            if matches!(reservation, Ok(Reservation::Taken)) {
                cache.settle(&limits, Settlement::Charged).await.expect("a wrong password counted");
            }
            (cache, reservation.map(|reservation| reservation == Reservation::Taken))
        })
        .await;
    assert_eq!(checks, 1, "one password checked in all");
}

/// An instance that connects while the cluster fails (a master dead, its
/// replica not promoted yet) answers 503 meanwhile and works once the cluster
/// heals, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_connected_while_the_cluster_fails_works_once_it_heals() {
    let Some(failover) = Failover::start("cache_failover::connect_while_failing", ONE_REPLICA).await else { return };
    let Failover { mut cluster, cache, prefix, _turn } = failover;
    cache.quit().await;
    let master = cluster.masters()[0];
    cluster.kill(master);
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster.is_ok() {
        assert!(Instant::now() < deadline, "the cluster never noticed its master died");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let digester = CodeDigester::new(&ServiceSecret::from(b"contract"));
    let late =
        RedisCache::connect_confirming(&cluster.url(), &prefix, digester, Duration::from_secs(2), ReplicaAcks::OFF)
            .await
            .expect("connect to the failing cluster");
    cluster.wait_for_promotion(master, Duration::from_secs(30)).await;
    let limit = RateLimit::new("after-healing", 10, Duration::from_secs(60));
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(error) = late.acquire(std::slice::from_ref(&limit)).await {
        assert!(Instant::now() < deadline, "still unavailable 10 s after the promotion: {error}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    late.quit().await;
}

/// `REDIS_URL=redis-sentinel://…`: the cache finds the master through
/// Sentinel, confirms guarding writes with its replica, and after Sentinel
/// promotes the replica works on it without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_sentinel_the_cache_works_and_follows_a_failover() {
    let Some(mut sentinel) = test_support::redis_sentinel::RedisSentinel::start("cache_failover::sentinel").await
    else {
        return;
    };
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let digester = CodeDigester::new(&ServiceSecret::from(b"contract"));
    // A patient confirmation: the replica is healthy here, only perhaps slow on a busy machine.
    let patient = ReplicaAcks { replicas: 1, timeout: Duration::from_secs(2) };
    let cache = RedisCache::connect_confirming(&sentinel.url(), &prefix, digester, Duration::from_secs(2), patient)
        .await
        .expect("connect through Sentinel");
    let code = VerificationCode::parse("123456").unwrap();
    let key = register_code_key("13800138009");
    cache.save(&key, &code, Duration::from_secs(300)).await.unwrap();
    assert_eq!(cache.check(&key, &code, 5).await.unwrap(), CodeCheck::Accepted, "confirmed by the replica");
    assert_eq!(cache.check(&key, &code, 5).await.unwrap(), CodeCheck::Missing);

    let old_master = sentinel.master();
    sentinel.fail_over(Duration::from_secs(30)).await;
    assert_ne!(sentinel.master(), old_master);
    // The promoted master has no replica left: confirmation is off for what follows.
    let digester = CodeDigester::new(&ServiceSecret::from(b"contract"));
    let cache_after = RedisCache::connect(&sentinel.url(), &prefix, digester, Duration::from_secs(2))
        .await
        .expect("connect through Sentinel after the failover");
    let limit = RateLimit::new("after-failover", 10, Duration::from_secs(60));
    for client in [&cache, &cache_after] {
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Err(error) = client.acquire(std::slice::from_ref(&limit)).await {
            assert!(Instant::now() < deadline, "still unavailable 20 s after Sentinel's promotion: {error}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    cache.quit().await;
    cache_after.quit().await;
}
