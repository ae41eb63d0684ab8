//! The shared cache for several instances: Redis through fred.
//!
//! Every check-and-update is one Lua script or one command on the server, so
//! two instances never both let the same code or the same send through.
//! Commands time out (`command_timeout`) instead of hanging while Redis is
//! down, and the client reconnects by itself when it returns.

mod captcha_store;
mod code_store;
mod eviction_policy;
mod failure_counters;
mod rate_limiter;
mod readiness;
mod replica_acks;
mod session_key_store;

use std::time::Duration;

use application::ports::CacheError;
use fred::prelude::{Builder, Client, ClientLike, Config, Error, ErrorKind, Pool, ReconnectPolicy};

pub use self::eviction_policy::EvictionPolicy;
use self::eviction_policy::RecentPolicy;
pub use self::replica_acks::ReplicaAcks;
use security::CodeDigester;

/// Captchas, codes and rate limits in Redis, under a key prefix.
pub struct RedisCache {
    pool: Pool,
    /// Connections for writes confirmed by replicas (`WAIT`), when confirmation is on.
    guarding: Option<Pool>,
    replica_acks: ReplicaAcks,
    prefix: String,
    digester: CodeDigester,
    eviction_policy: RecentPolicy,
}

impl RedisCache {
    /// Starts connecting to `url` and returns at once: while Redis is
    /// unreachable, commands fail after `command_timeout` and reconnection
    /// goes on in the background.
    pub async fn connect(
        url: &str,
        prefix: &str,
        digester: CodeDigester,
        command_timeout: Duration,
    ) -> Result<Self, CacheError> {
        Self::connect_confirming(url, prefix, digester, command_timeout, ReplicaAcks::OFF).await
    }

    /// As [`connect`](Self::connect), with the writes that guard a secret's
    /// single use or count a wrong guess confirmed by `replica_acks.replicas`
    /// replicas before they count.
    pub async fn connect_confirming(
        url: &str,
        prefix: &str,
        digester: CodeDigester,
        command_timeout: Duration,
        replica_acks: ReplicaAcks,
    ) -> Result<Self, CacheError> {
        let pool = connected_pool(url, command_timeout, 4).await?;
        let guarding = match replica_acks.replicas {
            0 => None,
            _ => Some(connected_pool(url, command_timeout, 2).await?),
        };
        Ok(Self {
            pool,
            guarding,
            replica_acks,
            prefix: prefix.to_owned(),
            digester,
            eviction_policy: RecentPolicy::default(),
        })
    }

    /// Redis's `maxmemory-policy`, asked at most once every few seconds.
    pub async fn eviction_policy(&self) -> EvictionPolicy {
        self.eviction_policy.get(self.connection()).await
    }

    /// The connection a script or a ping goes on: one that is up, as the
    /// pool itself picks for plain commands. After an outage the connections
    /// come back one by one, each on its own backoff (up to 2 s more when a
    /// reconnection times out under load); plain round-robin would send every
    /// few commands to one still down, where they time out into 503s while
    /// the others already work.
    fn connection(&self) -> &Client {
        self.pool.next_connected()
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub async fn quit(&self) {
        let _ = self.pool.quit().await;
        if let Some(guarding) = &self.guarding {
            let _ = guarding.quit().await;
        }
    }
}

/// A pool of `size` connections, connecting in the background; waits at most
/// `command_timeout` for the first, so that the service starts (answering
/// 503) while Redis is down.
async fn connected_pool(url: &str, command_timeout: Duration, size: usize) -> Result<Pool, CacheError> {
    let pool = redis_builder(url, command_timeout)?.build_pool(size).map_err(|e| CacheError::Other(e.to_string()))?;
    pool.connect();
    if tokio::time::timeout(command_timeout, pool.wait_for_connect()).await.is_err() {
        tracing::warn!("Redis is not reachable yet; requests that need it answer 503 until it is");
    }
    Ok(pool)
}

/// Whether `url` names a Redis this cache can reach: one server
/// (`redis://`, `rediss://`), a cluster (`redis-cluster://host:port?node=…`)
/// or a master behind Sentinel (`redis-sentinel://host:port/db?sentinelServiceName=…`),
/// parsed as the connection will parse it. The error says what is wrong.
pub fn check_url(url: &str) -> Result<(), String> {
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    let known = ["redis", "rediss", "redis-cluster", "rediss-cluster", "redis-sentinel", "rediss-sentinel"];
    if !known.contains(&scheme) {
        return Err(format!("the scheme must be one of {}", known.map(|s| format!("{s}://")).join(", ")));
    }
    Config::from_url(url).map(|_| ()).map_err(|e| e.details().to_string())
}

/// How every connection to Redis behaves: commands time out instead of
/// hanging while Redis is down, and reconnecting never gives up.
pub(crate) fn redis_builder(url: &str, command_timeout: Duration) -> Result<Builder, CacheError> {
    let mut config = Config::from_url(url).map_err(|e| CacheError::Other(format!("REDIS_URL: {e}")))?;
    // A first connection that fails is retried like any other: without this
    // fred gives up on it, and an instance started while Redis (or one
    // cluster master) is down would never connect.
    config.fail_fast = false;
    let mut builder = Builder::from_config(config);
    builder
        .with_performance_config(|performance| performance.default_command_timeout = command_timeout)
        .with_connection_config(|connection| {
            connection.connection_timeout = command_timeout;
            connection.internal_command_timeout = command_timeout;
            connection.max_command_attempts = 2;
        })
        // Retry every 100 ms growing to 2 s, for as long as it takes.
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2));
    Ok(builder)
}

/// Connection trouble, and a cluster with slots no master serves, is
/// "unavailable" (503); anything else is a bug.
fn cache_error(error: Error) -> CacheError {
    match error.kind() {
        ErrorKind::IO
        | ErrorKind::Timeout
        | ErrorKind::Canceled
        | ErrorKind::Backpressure
        | ErrorKind::Routing
        | ErrorKind::Cluster => CacheError::Unavailable(error.to_string()),
        _ => CacheError::Other(error.to_string()),
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX).max(1)
}
