use std::time::Duration;

use application::ports::{CacheError, RateDecision, RateLimit, RateLimiter};
use async_trait::async_trait;
use fred::prelude::KeysInterface;
use fred::types::scripts::Script;

use super::{RedisCache, cache_error, millis};
use crate::cache::rate_key;

/// KEYS: one counter per limit; ARGV: max and window (ms) per limit, in order.
/// If any counter is full, counts nothing and answers the longest wait in ms;
/// otherwise counts one hit in each (starting a window at the first hit) and answers 0.
const ACQUIRE: &str = r"
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= max then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      ttl = tonumber(ARGV[2 * i])
      redis.call('PEXPIRE', key, ttl)
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then
    redis.call('PEXPIRE', key, ARGV[2 * i])
  end
end
return 0
";

/// Like ACQUIRE, for failure counters: the hit that fills a counter restarts
/// its window, so the lock lasts a whole window from the last failure.
const RESERVE: &str = r"
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= max then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      ttl = tonumber(ARGV[2 * i])
      redis.call('PEXPIRE', key, ttl)
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 or count >= tonumber(ARGV[2 * i - 1]) then
    redis.call('PEXPIRE', key, ARGV[2 * i])
  end
end
return 0
";

/// Takes back one hit per counter; a counter at one or below is removed.
const RELEASE: &str = r"
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 1 then
    redis.call('DECR', key)
  else
    redis.call('DEL', key)
  end
end
return 0
";

impl RedisCache {
    async fn run_limits(&self, script: &'static str, limits: &[RateLimit]) -> Result<Option<i64>, CacheError> {
        let active: Vec<&RateLimit> = limits.iter().filter(|limit| limit.max > 0).collect();
        if active.is_empty() {
            return Ok(None);
        }
        let keys: Vec<String> = active.iter().map(|limit| self.key(&rate_key(&limit.key))).collect();
        let args: Vec<String> =
            active.iter().flat_map(|limit| [limit.max.to_string(), millis(limit.window).to_string()]).collect();
        Script::from_lua(script).evalsha_with_reload(self.connection(), keys, args).await.map(Some).map_err(cache_error)
    }
}

fn decision(wait_ms: Option<i64>) -> RateDecision {
    match wait_ms.and_then(|ms| u64::try_from(ms).ok()) {
        None | Some(0) => RateDecision::Allowed,
        Some(ms) => RateDecision::Limited { retry_after: Duration::from_millis(ms) },
    }
}

#[async_trait]
impl RateLimiter for RedisCache {
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        Ok(decision(self.run_limits(ACQUIRE, limits).await?))
    }

    async fn reserve(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        Ok(decision(self.run_limits(RESERVE, limits).await?))
    }

    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError> {
        self.run_limits(RELEASE, limits).await.map(|_| ())
    }

    async fn reset(&self, key: &str) -> Result<(), CacheError> {
        self.pool.del::<i64, _>(self.key(&rate_key(key))).await.map(|_| ()).map_err(cache_error)
    }
}
