//! Hit limits (sends, captchas, answers, spent tokens) in Redis, one counter
//! per script so that each script touches one Redis Cluster slot.
//!
//! A request charged to several limits (a code send: the target's resend
//! interval and daily count, the client's hourly count) counts a hit in each
//! in turn; the first that is full stops the others from counting and takes
//! back the hits already counted. Every counter on its own is exact — no burst
//! gets more than `max` hits through any of them — and a request that a
//! later counter refuses holds an earlier one's hit only for the moment
//! before it is taken back, so a simultaneous request may then be refused
//! where one script over all counters would have let it through; never the
//! other way round.

use std::time::Duration;

use application::ports::{CacheError, FailureLimits, RateDecision, RateLimit, RateLimiter, Reservation, Settlement};
use async_trait::async_trait;
use fred::types::scripts::Script;

use super::{RedisCache, cache_error, millis};
use crate::patient_reservation::reserve_patiently;
use crate::rate_key;

/// KEYS[1]: a counter; ARGV: its max, its window (ms), and 1 to count a hit
/// when there is room (0 only looks). Answers 0 when there is room, else the
/// wait in ms until the window ends.
const ACQUIRE: &str = r"
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    ttl = tonumber(ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
  return math.max(ttl, 1)
end
if ARGV[3] == '1' and redis.call('INCR', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Takes back one hit of the counter KEYS[1]; at one or below it is removed.
const RELEASE: &str = r"
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 1 then
  redis.call('DECR', KEYS[1])
else
  redis.call('DEL', KEYS[1])
end
return 0
";

impl RedisCache {
    /// One counter's look, counting a hit when `count` and there is room:
    /// the wait in ms, 0 when there was room. A durable limit's hit counts
    /// once replicas confirm it.
    async fn acquire_one(&self, limit: &RateLimit, count: bool) -> Result<i64, CacheError> {
        let args = vec![limit.max.to_string(), millis(limit.window).to_string(), u8::from(count).to_string()];
        let key = self.key(&rate_key(&limit.key));
        let connection = if limit.durable { self.guarding_connection() } else { self.connection() };
        let wait = Script::from_lua(ACQUIRE)
            .evalsha_with_reload(connection, vec![key.clone()], args)
            .await
            .map_err(cache_error)?;
        if wait == 0
            && count
            && limit.durable
            && let Err(error) = self.confirm(connection, &key).await
        {
            self.take_back_hits(&[limit]).await;
            return Err(error);
        }
        Ok(wait)
    }

    async fn release_one(&self, limit: &RateLimit) -> Result<(), CacheError> {
        Script::from_lua(RELEASE)
            .evalsha_with_reload::<i64, _, _>(
                self.connection(),
                vec![self.key(&rate_key(&limit.key))],
                Vec::<String>::new(),
            )
            .await
            .map(|_| ())
            .map_err(cache_error)
    }

    /// Takes back the hits of a request that was refused or failed halfway.
    /// One that cannot be taken back stays counted until its window ends:
    /// the limit is then stricter for a while, never looser.
    async fn take_back_hits(&self, counted: &[&RateLimit]) {
        for limit in counted {
            if let Err(error) = self.release_one(limit).await {
                tracing::warn!(%error, "could not take back a hit of a refused request");
            }
        }
    }
}

#[async_trait]
impl RateLimiter for RedisCache {
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        let mut counted = Vec::with_capacity(limits.len());
        let mut wait = 0;
        for limit in limits.iter().filter(|limit| limit.max > 0) {
            // After a refusal the others are only looked at, for the longest wait.
            let count = wait == 0;
            match self.acquire_one(limit, count).await {
                Ok(0) if count => counted.push(limit),
                Ok(ms) => wait = wait.max(ms),
                Err(error) => {
                    self.take_back_hits(&counted).await;
                    return Err(error);
                }
            }
        }
        if wait == 0 {
            return Ok(RateDecision::Allowed);
        }
        self.take_back_hits(&counted).await;
        let retry_after = Duration::from_millis(u64::try_from(wait).unwrap_or(1));
        Ok(RateDecision::Limited { retry_after })
    }

    async fn reserve(&self, limits: &FailureLimits) -> Result<Reservation, CacheError> {
        reserve_patiently(self, limits).await
    }

    async fn settle(&self, limits: &FailureLimits, settlement: Settlement) -> Result<(), CacheError> {
        self.settle_places(limits, settlement).await
    }

    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError> {
        for limit in limits.iter().filter(|limit| limit.max > 0) {
            self.release_one(limit).await?;
        }
        Ok(())
    }

    async fn reset(&self, key: &str) -> Result<(), CacheError> {
        self.forget_failures(key).await
    }
}
