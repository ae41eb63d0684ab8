use std::time::Duration;

use application::ports::{CacheError, FailureLimits, RateDecision, RateLimit, RateLimiter, Reservation, Settlement};
use async_trait::async_trait;
use fred::types::scripts::Script;

use super::{RedisCache, cache_error, millis};
use crate::patient_reservation::{FailureCounters, HELD_RETRY_AFTER, reserve_patiently};
use crate::{held_key, rate_key};

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

/// Failure counters, one look. KEYS: per limit, its counter and the count of
/// its places held by checks in flight, open limits first. ARGV: the number of
/// open limits, 1 to give up waiting (else 0), then max and window (ms) per limit.
/// Answers {0} when places were taken and held, {1, wait} refused, {2, wait}
/// withheld (a failure counted in the open counters), {3} full of held places,
/// {4} an open counter full of held places, waited for long enough.
const RESERVE: &str = r"
local open = tonumber(ARGV[1])
local give_up = ARGV[2] == '1'
local function max_of(i) return tonumber(ARGV[2 * i + 1]) end
local function window_of(i) return ARGV[2 * i + 2] end
-- The longest waits among the limits first..last full of settled failures, and full at all.
local function fullness(first, last)
  local locked, full = 0, 0
  for i = first, last do
    local key = KEYS[2 * i - 1]
    local count = tonumber(redis.call('GET', key) or '0')
    if count >= max_of(i) then
      local ttl = redis.call('PTTL', key)
      if ttl < 0 then
        ttl = tonumber(window_of(i))
        redis.call('PEXPIRE', key, ttl)
      end
      if ttl > full then full = ttl end
      local held = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
      if count - held >= max_of(i) and ttl > locked then locked = ttl end
    end
  end
  return locked, full
end
-- The failure that fills a counter starts its window again.
local function count_failure(i)
  local count = redis.call('INCR', KEYS[2 * i - 1])
  if count == 1 or count >= max_of(i) then
    redis.call('PEXPIRE', KEYS[2 * i - 1], window_of(i))
  end
end
local n = #KEYS / 2
local locked, full = fullness(1, open)
if locked > 0 then return {1, locked} end
if full > 0 then
  if give_up then return {4} end
  return {3}
end
locked, full = fullness(open + 1, n)
if locked == 0 and give_up then locked = full end
if locked > 0 then
  for i = 1, open do count_failure(i) end
  return {2, locked}
end
if full > 0 then return {3} end
for i = 1, n do
  count_failure(i)
  redis.call('INCR', KEYS[2 * i])
  redis.call('PEXPIRE', KEYS[2 * i], window_of(i))
end
return {0}
";

/// Ends holds: KEYS as for RESERVE, ARGV[1] 1 to give the places back too.
const SETTLE: &str = r"
local function take_back(key)
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 1 then
    redis.call('DECR', key)
  else
    redis.call('DEL', key)
  end
end
for i = 1, #KEYS / 2 do
  take_back(KEYS[2 * i])
  if ARGV[1] == '1' then take_back(KEYS[2 * i - 1]) end
end
return 0
";

/// Forgets a counter's failures, keeping the places held: KEYS: the counter, its held count.
const RESET: &str = r"
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local held = tonumber(redis.call('GET', KEYS[2]) or '0')
if count > 0 and held > 0 then
  redis.call('SET', KEYS[1], math.min(count, held), 'KEEPTTL')
else
  redis.call('DEL', KEYS[1])
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

    /// Each active limit's counter and held count, open limits first, and how many are open.
    fn failure_keys<'a>(&self, limits: &'a FailureLimits) -> (Vec<String>, Vec<&'a RateLimit>, usize) {
        let open: Vec<&RateLimit> = limits.open.iter().filter(|limit| limit.max > 0).collect();
        let open_count = open.len();
        let active: Vec<&RateLimit> =
            open.into_iter().chain(limits.silent.iter().filter(|limit| limit.max > 0)).collect();
        let keys = active
            .iter()
            .flat_map(|limit| [self.key(&rate_key(&limit.key)), self.key(&held_key(&limit.key))])
            .collect();
        (keys, active, open_count)
    }
}

fn decision(wait_ms: Option<i64>) -> RateDecision {
    match wait_ms.and_then(|ms| u64::try_from(ms).ok()) {
        None | Some(0) => RateDecision::Allowed,
        Some(ms) => RateDecision::Limited { retry_after: Duration::from_millis(ms) },
    }
}

fn reservation(answer: &[i64]) -> Result<Option<Reservation>, CacheError> {
    let wait = || Duration::from_millis(answer.get(1).and_then(|ms| u64::try_from(*ms).ok()).unwrap_or(0));
    match answer.first() {
        Some(0) => Ok(Some(Reservation::Taken)),
        Some(1) => Ok(Some(Reservation::Refused { retry_after: wait() })),
        Some(2) => Ok(Some(Reservation::Withheld { retry_after: wait() })),
        Some(3) => Ok(None),
        Some(4) => Ok(Some(Reservation::Refused { retry_after: HELD_RETRY_AFTER })),
        _ => Err(CacheError::Unavailable(format!("unexpected answer {answer:?} to a reservation"))),
    }
}

impl FailureCounters for RedisCache {
    async fn look(&self, limits: &FailureLimits, give_up: bool) -> Result<Option<Reservation>, CacheError> {
        let (keys, active, open) = self.failure_keys(limits);
        if active.is_empty() {
            return Ok(Some(Reservation::Taken));
        }
        let args: Vec<String> = [open.to_string(), u8::from(give_up).to_string()]
            .into_iter()
            .chain(active.iter().flat_map(|limit| [limit.max.to_string(), millis(limit.window).to_string()]))
            .collect();
        let answer: Vec<i64> =
            Script::from_lua(RESERVE).evalsha_with_reload(self.connection(), keys, args).await.map_err(cache_error)?;
        reservation(&answer)
    }

    async fn pause(&self, longest: Duration) {
        // Another instance's settlement is not announced here: looking again soon has to do.
        tokio::time::sleep(longest).await;
    }
}

#[async_trait]
impl RateLimiter for RedisCache {
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        Ok(decision(self.run_limits(ACQUIRE, limits).await?))
    }

    async fn reserve(&self, limits: &FailureLimits) -> Result<Reservation, CacheError> {
        reserve_patiently(self, limits).await
    }

    async fn settle(&self, limits: &FailureLimits, settlement: Settlement) -> Result<(), CacheError> {
        let (keys, active, _) = self.failure_keys(limits);
        if active.is_empty() {
            return Ok(());
        }
        let give_back = u8::from(settlement == Settlement::Refunded).to_string();
        Script::from_lua(SETTLE)
            .evalsha_with_reload::<i64, _, _>(self.connection(), keys, vec![give_back])
            .await
            .map(|_| ())
            .map_err(cache_error)
    }

    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError> {
        self.run_limits(RELEASE, limits).await.map(|_| ())
    }

    async fn reset(&self, key: &str) -> Result<(), CacheError> {
        let keys = vec![self.key(&rate_key(key)), self.key(&held_key(key))];
        Script::from_lua(RESET)
            .evalsha_with_reload::<i64, _, _>(self.connection(), keys, Vec::<String>::new())
            .await
            .map(|_| ())
            .map_err(cache_error)
    }
}
