use std::time::Duration;

use application::ports::{CacheError, RateDecision, RateLimit, RateLimiter};
use async_trait::async_trait;
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

#[async_trait]
impl RateLimiter for RedisCache {
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        let active: Vec<&RateLimit> = limits.iter().filter(|limit| limit.max > 0).collect();
        if active.is_empty() {
            return Ok(RateDecision::Allowed);
        }
        let keys: Vec<String> = active.iter().map(|limit| self.key(&rate_key(&limit.key))).collect();
        let args: Vec<String> =
            active.iter().flat_map(|limit| [limit.max.to_string(), millis(limit.window).to_string()]).collect();
        let wait_ms: i64 =
            Script::from_lua(ACQUIRE).evalsha_with_reload(self.pool.next(), keys, args).await.map_err(cache_error)?;
        Ok(match u64::try_from(wait_ms) {
            Ok(0) | Err(_) => RateDecision::Allowed,
            Ok(ms) => RateDecision::Limited { retry_after: Duration::from_millis(ms) },
        })
    }
}
