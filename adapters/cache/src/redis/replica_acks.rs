//! Writes that must outlive a failover: Redis replicates asynchronously, so a
//! replica promoted after its master died lacks the master's last writes. A
//! spent code, captcha or single-use token would then be accepted again, and
//! a counted wrong guess forgotten. Such a write is followed by `WAIT` on the
//! same connection, and counts only once enough replicas have it; otherwise
//! the request answers 503 before anything it guards is let through.

use std::time::Duration;

use application::ports::CacheError;
use fred::prelude::{Client, ClientLike};
use fred::types::{ClusterHash, CustomCommand};

use super::{RedisCache, cache_error, millis};

/// How many replicas must have a guarding write, and how long to wait for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaAcks {
    /// 0 turns confirmation off (a Redis without replicas has none to wait for).
    pub replicas: u32,
    pub timeout: Duration,
}

impl ReplicaAcks {
    pub const OFF: Self = Self { replicas: 0, timeout: Duration::ZERO };
}

impl RedisCache {
    /// The connection a guarding write goes on. `WAIT` holds its connection
    /// until the replicas answer (up to the timeout while one is down), so
    /// guarding writes have connections of their own and the other commands
    /// never queue behind a wait.
    pub(super) fn guarding_connection(&self) -> &Client {
        self.guarding.as_ref().map_or_else(|| self.connection(), |pool| pool.next_connected())
    }

    /// Waits until the configured number of replicas have every write this
    /// connection sent to the master of `key` (the key as sent, prefix included).
    pub(super) async fn confirm(&self, connection: &Client, key: &str) -> Result<(), CacheError> {
        let acks = self.replica_acks;
        if acks.replicas == 0 {
            return Ok(());
        }
        let slot = fred::util::redis_keyslot(key.as_bytes());
        let wait = CustomCommand::new_static("WAIT", ClusterHash::Custom(slot), false);
        let confirmed: i64 = connection
            .custom(wait, vec![acks.replicas.to_string(), millis(acks.timeout).to_string()])
            .await
            .map_err(cache_error)?;
        if confirmed >= i64::from(acks.replicas) {
            return Ok(());
        }
        tracing::warn!(
            confirmed,
            wanted = acks.replicas,
            "a write that must outlive a Redis failover was not confirmed by enough replicas in time; answering 503"
        );
        Err(CacheError::Unavailable(format!(
            "{confirmed} of {} replicas confirmed a write within {:?}",
            acks.replicas, acks.timeout
        )))
    }
}
