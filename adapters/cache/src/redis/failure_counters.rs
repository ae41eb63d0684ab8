//! Login failure counters in Redis, one limit per script so that each script
//! touches one Redis Cluster slot: a limit's counter and its held count share
//! a hash tag; the limits of one try (the name typed, the client's address,
//! the account) do not, and may live on different masters.
//!
//! A try takes a place in each counter in turn, open limits first, each step
//! atomic in its slot. A counter that is full stops the try from taking more:
//! the rest are only looked at (for the refusal's longest wait), and the
//! places already taken are given back. So every counter on its own never
//! lets more than `max` password checks run in its window, however many tries
//! come at once from however many instances; a try refused by a later counter
//! holds an earlier one's place only until it gives it back, during which a
//! simultaneous try may find that counter full and wait (see
//! `patient_reservation`). The decisions are those of the one-script
//! protocol this replaced: refused by a full open counter, withheld (and
//! charged to the open ones) by a full silent one, waiting while a counter is
//! full only of places held by checks in flight.
//!
//! Every counter is durable: a try whose places replicas have not confirmed
//! (see `replica_acks`) gives them back and answers 503 before any password
//! is checked, so a failover never forgets a wrong guess that was made.

use std::time::Duration;

use application::ports::{CacheError, FailureLimits, RateLimit, Reservation, Settlement};
use fred::prelude::Client;
use fred::types::scripts::Script;

use super::{RedisCache, cache_error, millis};
use crate::patient_reservation::{FailureCounters, HELD_RETRY_AFTER};
use crate::{held_key, rate_key};

/// KEYS: a counter and its held count. ARGV: max, window (ms), and 1 to take
/// a place when there is room (0 only looks). Answers {0} room (a place taken
/// when asked), {1, wait} full of settled failures, {2, wait} full with places
/// held by checks in flight. The failure that fills a counter starts its
/// window again.
const LOOK: &str = r"
local max = tonumber(ARGV[1])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= max then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    ttl = tonumber(ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
  ttl = math.max(ttl, 1)
  local held = tonumber(redis.call('GET', KEYS[2]) or '0')
  if count - held >= max then return {1, ttl} end
  return {2, ttl}
end
if ARGV[3] == '1' then
  count = redis.call('INCR', KEYS[1])
  if count == 1 or count >= max then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return {0}
";

/// Ends a hold: KEYS as for LOOK; ARGV[1] 1 to give the place back too
/// (else it stays, as a failure).
const SETTLE: &str = r"
local function take_back(key)
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 1 then
    redis.call('DECR', key)
  else
    redis.call('DEL', key)
  end
end
take_back(KEYS[2])
if ARGV[1] == '1' then take_back(KEYS[1]) end
return 0
";

/// Forgets a counter's failures, keeping the places held: KEYS as for LOOK.
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

/// What one pass over a group of counters (the open ones, or the silent ones) found.
#[derive(Default)]
struct Pass<'a> {
    /// The counters a place was taken in.
    taken: Vec<&'a RateLimit>,
    /// The longest wait among counters full of settled failures (0: none).
    locked: i64,
    /// The longest wait among counters full only with held places (0: none).
    full: i64,
}

impl RedisCache {
    fn counter_keys(&self, limit: &RateLimit) -> Vec<String> {
        vec![self.key(&rate_key(&limit.key)), self.key(&held_key(&limit.key))]
    }

    /// Takes a place in each of `limits` in turn until one has no room, then
    /// only looks at the rest. On an error the places taken are given back.
    async fn pass<'a>(&self, connection: &Client, limits: &[&'a RateLimit]) -> Result<Pass<'a>, CacheError> {
        let mut pass = Pass::default();
        for &limit in limits {
            let take = pass.locked == 0 && pass.full == 0;
            let args = vec![limit.max.to_string(), millis(limit.window).to_string(), u8::from(take).to_string()];
            let answer: Vec<i64> =
                match Script::from_lua(LOOK).evalsha_with_reload(connection, self.counter_keys(limit), args).await {
                    Ok(answer) => answer,
                    Err(error) => {
                        self.end_holds(&pass.taken, Settlement::Refunded).await;
                        return Err(cache_error(error));
                    }
                };
            match answer.as_slice() {
                [0] if take => pass.taken.push(limit),
                [0] => {}
                [1, wait] => pass.locked = pass.locked.max(*wait),
                [2, wait] => pass.full = pass.full.max(*wait),
                other => {
                    let error = CacheError::Unavailable(format!("unexpected answer {other:?} to a reservation"));
                    self.end_holds(&pass.taken, Settlement::Refunded).await;
                    return Err(error);
                }
            }
        }
        Ok(pass)
    }

    /// Waits for replicas to confirm the places taken; gives them all back
    /// when they do not.
    async fn confirm_places(&self, connection: &Client, taken: &[&RateLimit]) -> Result<(), CacheError> {
        for limit in taken {
            if let Err(error) = self.confirm(connection, &self.key(&rate_key(&limit.key))).await {
                self.end_holds(taken, Settlement::Refunded).await;
                return Err(error);
            }
        }
        Ok(())
    }

    async fn settle_one(&self, limit: &RateLimit, settlement: Settlement) -> Result<(), CacheError> {
        let give_back = u8::from(settlement == Settlement::Refunded).to_string();
        Script::from_lua(SETTLE)
            .evalsha_with_reload::<i64, _, _>(self.connection(), self.counter_keys(limit), vec![give_back])
            .await
            .map(|_| ())
            .map_err(cache_error)
    }

    /// Ends the holds of a try that will not check its password. A hold that
    /// cannot be ended stays until its window ends: the counter is then
    /// stricter for a while, never looser.
    async fn end_holds(&self, limits: &[&RateLimit], settlement: Settlement) {
        for limit in limits {
            if let Err(error) = self.settle_one(limit, settlement).await {
                tracing::warn!(%error, "could not end the hold of a try that was not checked");
            }
        }
    }

    /// Ends the holds of a checked try: each counter in its own step.
    pub(super) async fn settle_places(&self, limits: &FailureLimits, settlement: Settlement) -> Result<(), CacheError> {
        for limit in limits.open.iter().chain(&limits.silent).filter(|limit| limit.max > 0) {
            self.settle_one(limit, settlement).await?;
        }
        Ok(())
    }

    pub(super) async fn forget_failures(&self, key: &str) -> Result<(), CacheError> {
        let keys = vec![self.key(&rate_key(key)), self.key(&held_key(key))];
        Script::from_lua(RESET)
            .evalsha_with_reload::<i64, _, _>(self.connection(), keys, Vec::<String>::new())
            .await
            .map(|_| ())
            .map_err(cache_error)
    }
}

fn wait(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(1))
}

impl FailureCounters for RedisCache {
    async fn look(&self, limits: &FailureLimits, give_up: bool) -> Result<Option<Reservation>, CacheError> {
        let open: Vec<&RateLimit> = limits.open.iter().filter(|limit| limit.max > 0).collect();
        let silent: Vec<&RateLimit> = limits.silent.iter().filter(|limit| limit.max > 0).collect();
        let connection = self.guarding_connection();
        let opened = self.pass(connection, &open).await?;
        if opened.locked > 0 || opened.full > 0 {
            self.end_holds(&opened.taken, Settlement::Refunded).await;
            return Ok(if opened.locked > 0 {
                Some(Reservation::Refused { retry_after: wait(opened.locked) })
            } else if give_up {
                Some(Reservation::Refused { retry_after: HELD_RETRY_AFTER })
            } else {
                None
            });
        }
        let silenced = match self.pass(connection, &silent).await {
            Ok(pass) => pass,
            Err(error) => {
                self.end_holds(&opened.taken, Settlement::Refunded).await;
                return Err(error);
            }
        };
        let locked = if silenced.locked == 0 && give_up { silenced.full } else { silenced.locked };
        if locked > 0 {
            // The try counts as a failure where it is seen (the open counters);
            // the silent lock itself says nothing.
            self.end_holds(&silenced.taken, Settlement::Refunded).await;
            self.confirm_places(connection, &opened.taken).await?;
            self.end_holds(&opened.taken, Settlement::Charged).await;
            return Ok(Some(Reservation::Withheld { retry_after: wait(locked) }));
        }
        if silenced.full > 0 {
            self.end_holds(&silenced.taken, Settlement::Refunded).await;
            self.end_holds(&opened.taken, Settlement::Refunded).await;
            return Ok(None);
        }
        let taken: Vec<&RateLimit> = opened.taken.into_iter().chain(silenced.taken).collect();
        self.confirm_places(connection, &taken).await?;
        Ok(Some(Reservation::Taken))
    }

    async fn pause(&self, longest: Duration) {
        // Another instance's settlement is not announced here: looking again soon has to do.
        tokio::time::sleep(longest).await;
    }
}
