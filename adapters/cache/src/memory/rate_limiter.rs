use std::time::{Duration, Instant};

use application::ports::{CacheError, FailureLimits, RateDecision, RateLimit, RateLimiter, Reservation, Settlement};
use async_trait::async_trait;

use super::{Entries, Entry, MemoryCache, Value, deadline};
use crate::patient_reservation::{FailureCounters, HELD_RETRY_AFTER, reserve_patiently};
use crate::{held_key, rate_key};

/// The longest wait among the limits that are full, if any.
fn longest_wait(entries: &mut Entries, limits: &[&RateLimit], now: Instant) -> Option<Duration> {
    let mut longest = None::<Duration>;
    for limit in limits {
        if let Some(Entry { value: Value::Counter(count), expires_at }) = entries.live(&rate_key(&limit.key), now)
            && *count >= limit.max
        {
            let wait = expires_at.saturating_duration_since(now);
            longest = Some(longest.map_or(wait, |longest| longest.max(wait)));
        }
    }
    longest
}

fn counter(entries: &mut Entries, key: &str, now: Instant) -> Option<(u32, Instant)> {
    match entries.live(key, now) {
        Some(Entry { value: Value::Counter(count), expires_at }) => Some((*count, *expires_at)),
        _ => None,
    }
}

/// How full failure counters are: the longest wait among those full of
/// settled failures (locked), and among those full at all.
#[derive(Default)]
struct Fullness {
    locked: Option<Duration>,
    full: Option<Duration>,
}

fn fullness(entries: &mut Entries, limits: &[&RateLimit], now: Instant) -> Fullness {
    let mut fullness = Fullness::default();
    for limit in limits {
        let Some((count, expires_at)) = counter(entries, &rate_key(&limit.key), now) else { continue };
        if count < limit.max {
            continue;
        }
        let wait = expires_at.saturating_duration_since(now);
        fullness.full = Some(fullness.full.map_or(wait, |longest| longest.max(wait)));
        let held = counter(entries, &held_key(&limit.key), now).map_or(0, |(held, _)| held);
        if count.saturating_sub(held) >= limit.max {
            fullness.locked = Some(fullness.locked.map_or(wait, |longest| longest.max(wait)));
        }
    }
    fullness
}

/// Counts one hit under `key`; with `window_when_full`, the hit that fills
/// the counter (reaches `max`) starts its window again.
fn bump(
    cache: &MemoryCache,
    entries: &mut Entries,
    key: String,
    window: Duration,
    window_when_full: Option<u32>,
    now: Instant,
) -> Result<(), CacheError> {
    match entries.live(&key, now) {
        Some(Entry { value: Value::Counter(count), expires_at }) => {
            *count += 1;
            if window_when_full.is_some_and(|max| *count >= max) {
                *expires_at = deadline(now, window);
            }
            Ok(())
        }
        _ => {
            let entry = Entry { value: Value::Counter(1), expires_at: deadline(now, window) };
            entries.insert(key, entry, cache.capacity, now)
        }
    }
}

/// Counts one failure: the one that fills the counter starts its window again.
fn bump_failure(cache: &MemoryCache, entries: &mut Entries, limit: &RateLimit, now: Instant) -> Result<(), CacheError> {
    bump(cache, entries, rate_key(&limit.key), limit.window, Some(limit.max), now)
}

/// Takes back one hit under `key`; a counter at one or below is removed.
fn take_back(entries: &mut Entries, key: &str, now: Instant) {
    if let Some(Entry { value: Value::Counter(count), .. }) = entries.live(key, now) {
        if *count > 1 {
            *count -= 1;
        } else {
            entries.map.remove(key);
        }
    }
}

fn active(limits: &[RateLimit]) -> Vec<&RateLimit> {
    limits.iter().filter(|limit| limit.max > 0).collect()
}

impl FailureCounters for MemoryCache {
    async fn look(&self, limits: &FailureLimits, give_up: bool) -> Result<Option<Reservation>, CacheError> {
        let mut entries = self.entries.lock();
        // Read under the lock: a `now` read while another caller held it would be
        // earlier than the windows that caller opened, and a wait measured from it
        // would come out longer than the window itself.
        let now = Instant::now();
        let (open, silent) = (active(&limits.open), active(&limits.silent));
        let open_fullness = fullness(&mut entries, &open, now);
        if let Some(retry_after) = open_fullness.locked {
            return Ok(Some(Reservation::Refused { retry_after }));
        }
        if open_fullness.full.is_some() {
            return Ok(give_up.then_some(Reservation::Refused { retry_after: HELD_RETRY_AFTER }));
        }
        let silent_fullness = fullness(&mut entries, &silent, now);
        if let Some(retry_after) = silent_fullness.locked.or(silent_fullness.full.filter(|_| give_up)) {
            for limit in open {
                bump_failure(self, &mut entries, limit, now)?;
            }
            return Ok(Some(Reservation::Withheld { retry_after }));
        }
        if silent_fullness.full.is_some() {
            return Ok(None);
        }
        for limit in open.into_iter().chain(silent) {
            bump_failure(self, &mut entries, limit, now)?;
            bump(self, &mut entries, held_key(&limit.key), limit.window, None, now)?;
        }
        Ok(Some(Reservation::Taken))
    }

    async fn pause(&self, longest: Duration) {
        // A settlement between the look and here is missed: the pause is short.
        let _settled_or_not = tokio::time::timeout(longest, self.settled.notified()).await;
    }
}

impl MemoryCache {
    /// Counts one hit in every active limit if all have room, under one lock.
    fn take(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        let mut entries = self.entries.lock();
        let now = Instant::now();
        let active = active(limits);
        if let Some(retry_after) = longest_wait(&mut entries, &active, now) {
            return Ok(RateDecision::Limited { retry_after });
        }
        for limit in active {
            bump(self, &mut entries, rate_key(&limit.key), limit.window, None, now)?;
        }
        Ok(RateDecision::Allowed)
    }
}

#[async_trait]
impl RateLimiter for MemoryCache {
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        self.take(limits)
    }

    async fn reserve(&self, limits: &FailureLimits) -> Result<Reservation, CacheError> {
        reserve_patiently(self, limits).await
    }

    async fn settle(&self, limits: &FailureLimits, settlement: Settlement) -> Result<(), CacheError> {
        {
            let mut entries = self.entries.lock();
            let now = Instant::now();
            for limit in active(&limits.open).into_iter().chain(active(&limits.silent)) {
                take_back(&mut entries, &held_key(&limit.key), now);
                if settlement == Settlement::Refunded {
                    take_back(&mut entries, &rate_key(&limit.key), now);
                }
            }
        }
        self.settled.notify_waiters();
        Ok(())
    }

    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError> {
        let mut entries = self.entries.lock();
        let now = Instant::now();
        for limit in active(limits) {
            take_back(&mut entries, &rate_key(&limit.key), now);
        }
        Ok(())
    }

    async fn reset(&self, key: &str) -> Result<(), CacheError> {
        {
            let mut entries = self.entries.lock();
            let now = Instant::now();
            let held = counter(&mut entries, &held_key(key), now).map_or(0, |(held, _)| held);
            let key = rate_key(key);
            match entries.live(&key, now) {
                Some(Entry { value: Value::Counter(count), .. }) if held > 0 => *count = (*count).min(held),
                _ => {
                    entries.map.remove(&key);
                }
            }
        }
        self.settled.notify_waiters();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use security::{CodeDigester, ServiceSecret};

    fn cache() -> MemoryCache {
        MemoryCache::new(CodeDigester::new(&ServiceSecret::from(b"k")), 100)
    }

    #[test]
    fn a_try_that_waited_for_the_lock_is_never_told_to_wait_longer_than_the_window() {
        let cache = std::sync::Arc::new(cache());
        let limit = RateLimit::new("captcha", 1, Duration::from_secs(60));
        let entries = cache.entries.lock();
        let waiting = {
            let (cache, limit) = (cache.clone(), limit.clone());
            std::thread::spawn(move || cache.take(std::slice::from_ref(&limit)))
        };
        // Another caller, holding the lock meanwhile, opens the window later than the waiting try began.
        std::thread::sleep(Duration::from_millis(50));
        let mut entries = entries;
        bump(&cache, &mut entries, rate_key(&limit.key), limit.window, None, Instant::now()).unwrap();
        drop(entries);
        let RateDecision::Limited { retry_after } = waiting.join().unwrap().unwrap() else { panic!() };
        assert!(retry_after <= limit.window, "{retry_after:?}");
    }

    #[tokio::test]
    async fn allows_up_to_the_maximum_then_tells_the_wait() {
        let cache = cache();
        let limit = [RateLimit::new("ip", 2, Duration::from_secs(60))];
        assert_eq!(cache.acquire(&limit).await.unwrap(), RateDecision::Allowed);
        assert_eq!(cache.acquire(&limit).await.unwrap(), RateDecision::Allowed);
        let RateDecision::Limited { retry_after } = cache.acquire(&limit).await.unwrap() else { panic!() };
        assert!(retry_after <= Duration::from_secs(60) && retry_after > Duration::from_secs(58));
    }

    #[tokio::test]
    async fn a_refused_hit_counts_against_no_limit() {
        let cache = cache();
        let resend = RateLimit::new("resend", 1, Duration::from_secs(60));
        let daily = RateLimit::new("daily", 2, Duration::from_secs(600));
        assert_eq!(cache.acquire(&[resend.clone(), daily.clone()]).await.unwrap(), RateDecision::Allowed);
        assert!(matches!(cache.acquire(&[resend, daily.clone()]).await.unwrap(), RateDecision::Limited { .. }));
        // The refused hit did not use up the daily allowance.
        assert_eq!(cache.acquire(std::slice::from_ref(&daily)).await.unwrap(), RateDecision::Allowed);
        assert!(matches!(cache.acquire(&[daily]).await.unwrap(), RateDecision::Limited { .. }));
    }

    #[tokio::test]
    async fn the_window_reopens_after_it_expires() {
        let cache = cache();
        let limit = [RateLimit::new("k", 1, Duration::from_millis(30))];
        assert_eq!(cache.acquire(&limit).await.unwrap(), RateDecision::Allowed);
        assert!(matches!(cache.acquire(&limit).await.unwrap(), RateDecision::Limited { .. }));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(cache.acquire(&limit).await.unwrap(), RateDecision::Allowed);
    }

    #[tokio::test]
    async fn a_zero_maximum_turns_the_limit_off() {
        let cache = cache();
        let limit = [RateLimit::new("off", 0, Duration::from_secs(60))];
        for _ in 0..10 {
            assert_eq!(cache.acquire(&limit).await.unwrap(), RateDecision::Allowed);
        }
    }

    // Worker threads of their own and a barrier: the hits meet on several threads at once, as a
    // server's requests do, not one after another on a single-thread runtime.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_hits_never_exceed_the_maximum() {
        let cache = std::sync::Arc::new(cache());
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(50));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (cache, start) = (cache.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    cache.acquire(&[RateLimit::new("race", 7, Duration::from_secs(60))]).await.unwrap()
                })
            })
            .collect();
        let mut allowed = 0;
        for task in tasks {
            if task.await.unwrap() == RateDecision::Allowed {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 7);
    }
}
