//! Account changes announced between instances on Redis: what one instance
//! writes, the others stop answering from memory within a second, and an
//! instance cut off from Redis answers nothing from memory until it has
//! subscribed again, then starts empty.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use application::ports::TokenStanding;
use cache::account_cache::StandingCache;
use cache::account_changes::{AccountChanges, InstanceMemory, RedisAccountChanges};
use domain::UserId;
use test_support::accounts::account;
use test_support::backends::backend_url;
use test_support::tcp_proxy::TcpProxy;

struct Instance {
    cache: Arc<StandingCache>,
    changes: AccountChanges,
    redis: Arc<RedisAccountChanges>,
}

impl Instance {
    fn start(url: &str, prefix: &str) -> Self {
        let cache = Arc::new(StandingCache::new(1_000, Duration::from_secs(600), true));
        let memory = InstanceMemory::new(Arc::clone(&cache), None);
        let redis = Arc::new(RedisAccountChanges::start(url, prefix, memory.clone(), Duration::from_secs(1)).unwrap());
        let changes = AccountChanges::shared(memory, Arc::clone(&redis));
        Self { cache, changes, redis }
    }

    fn remember(&self, user: i64) {
        self.cache.remember(self.cache.ticket(), "jti", &standing(user));
    }

    fn knows(&self, user: i64) -> bool {
        self.cache.lookup(UserId(user), "jti").is_some()
    }
}

fn standing(user: i64) -> TokenStanding {
    TokenStanding { user: account(user), revoked: false }
}

/// Polls `condition` every 10 ms for up to `limit`; whether it came true.
async fn within(limit: Duration, condition: impl Fn() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    condition()
}

/// The Redis of `url` (`redis://host:port`), for a proxy in front of it.
fn upstream_of(url: &str) -> SocketAddr {
    url.trim_start_matches("redis://").trim_end_matches('/').parse().expect("TEST_REDIS_URL as redis://host:port")
}

fn fresh_prefix() -> String {
    format!("t:{}:", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn a_change_announced_by_one_instance_is_forgotten_by_the_other_within_a_second() {
    let Some(url) = backend_url("TEST_REDIS_URL", "account_changes::announced") else { return };
    assert_a_change_announced_by_one_instance_is_forgotten_by_the_other_within_a_second(&url).await;
}

/// On a cluster the instances' connections may sit on different masters: a
/// plain PUBLISH reaches every node's subscribers.
#[tokio::test]
async fn a_change_announced_by_one_instance_is_forgotten_by_the_other_within_a_second_on_a_cluster() {
    let Some(url) = backend_url("TEST_REDIS_CLUSTER_URL", "account_changes::announced_on_a_cluster") else { return };
    assert_a_change_announced_by_one_instance_is_forgotten_by_the_other_within_a_second(&url).await;
}

async fn assert_a_change_announced_by_one_instance_is_forgotten_by_the_other_within_a_second(url: &str) {
    let url = url.to_owned();
    let prefix = fresh_prefix();
    let (one, other) = (Instance::start(&url, &prefix), Instance::start(&url, &prefix));
    assert!(!other.cache.is_listening(), "deaf until the subscription is confirmed");
    assert!(within(Duration::from_secs(5), || one.cache.is_listening() && other.cache.is_listening()).await);

    for user in [1, 2] {
        one.remember(user);
        other.remember(user);
    }
    one.changes.announce(UserId(1)).await;
    assert!(!one.knows(1), "the announcing instance forgets before the write answers");
    assert!(within(Duration::from_secs(1), || !other.knows(1)).await, "the other instance heard it");
    assert!(other.knows(2) && one.knows(2), "other accounts stay");

    // Another key prefix is another service sharing the Redis: not ours.
    let stranger = Instance::start(&url, &fresh_prefix());
    assert!(within(Duration::from_secs(5), || stranger.cache.is_listening()).await);
    stranger.changes.announce(UserId(2)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(other.knows(2));
    for instance in [one, other, stranger] {
        instance.redis.quit().await;
    }
}

#[tokio::test]
async fn a_login_announced_by_one_instance_updates_the_other_in_place() {
    let Some(url) = backend_url("TEST_REDIS_URL", "account_changes::login") else { return };
    let prefix = fresh_prefix();
    let (one, other) = (Instance::start(&url, &prefix), Instance::start(&url, &prefix));
    assert!(within(Duration::from_secs(5), || one.cache.is_listening() && other.cache.is_listening()).await);
    one.remember(1);
    other.remember(1);
    let at = chrono::DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();

    one.changes.announce_login(UserId(1), at).await;
    let last_login = |instance: &Instance| instance.cache.lookup(UserId(1), "jti").and_then(|s| s.user.last_login);
    assert_eq!(last_login(&one), Some(at), "kept, with the new time, on the instance that logged in");
    assert!(
        within(Duration::from_secs(1), || last_login(&other) == Some(at)).await,
        "the other instance keeps the account and shows the new time"
    );
    for instance in [one, other] {
        instance.redis.quit().await;
    }
}

#[tokio::test]
async fn an_instance_cut_off_from_redis_answers_nothing_from_memory_and_starts_empty_when_back() {
    let Some(url) = backend_url("TEST_REDIS_URL", "account_changes::cut_off") else { return };
    let proxy = TcpProxy::start(upstream_of(&url)).await;
    let prefix = fresh_prefix();
    let one = Instance::start(&url, &prefix);
    let cut_off = Instance::start(&format!("redis://{}", proxy.address()), &prefix);
    assert!(within(Duration::from_secs(5), || one.cache.is_listening() && cut_off.cache.is_listening()).await);
    cut_off.remember(1);
    assert!(cut_off.knows(1));

    proxy.cut().await;
    assert!(within(Duration::from_secs(2), || !cut_off.cache.is_listening()).await, "the lost connection is noticed");
    assert!(!cut_off.knows(1), "nothing is answered from memory while deaf");
    cut_off.remember(1);
    assert!(!cut_off.knows(1), "nor kept");
    // A write on the cut-off instance still answers: its announcement gives up instead of waiting for Redis.
    let announced = tokio::time::timeout(Duration::from_secs(5), cut_off.changes.announce(UserId(2))).await;
    assert!(announced.is_ok(), "an announcement during an outage must not hang the write");
    // Announced while the instance cannot hear it.
    one.changes.announce(UserId(1)).await;

    proxy.restore();
    assert!(within(Duration::from_secs(10), || cut_off.cache.is_listening()).await, "subscribed again by itself");
    assert!(!cut_off.knows(1), "what was missed meanwhile cannot be answered from memory");
    cut_off.remember(1);
    assert!(cut_off.knows(1), "and memory serves again");
    one.changes.announce(UserId(1)).await;
    assert!(within(Duration::from_secs(1), || !cut_off.knows(1)).await, "announcements reach it again");
    one.redis.quit().await;
    cut_off.redis.quit().await;
}

#[tokio::test]
async fn an_instance_whose_channel_falls_silent_answers_nothing_from_memory_until_heard_again() {
    let Some(url) = backend_url("TEST_REDIS_URL", "account_changes::silent") else { return };
    let proxy = TcpProxy::start(upstream_of(&url)).await;
    let prefix = fresh_prefix();
    let stalled = Instance::start(&format!("redis://{}", proxy.address()), &prefix);
    assert!(within(Duration::from_secs(5), || stalled.cache.is_listening()).await);
    stalled.remember(1);

    // Packets dropped on the way: no error, no closed connection, just silence.
    proxy.stall();
    assert!(
        within(Duration::from_secs(3), || !stalled.cache.is_listening()).await,
        "a second without even its own heartbeat makes it deaf"
    );
    assert!(!stalled.knows(1));

    proxy.resume();
    assert!(within(Duration::from_secs(5), || stalled.cache.is_listening()).await, "heard again");
    assert!(!stalled.knows(1), "and empty: what was said meanwhile may be lost");
    stalled.remember(1);
    assert!(stalled.knows(1));
    stalled.redis.quit().await;
}
