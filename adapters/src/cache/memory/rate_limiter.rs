use std::time::{Duration, Instant};

use application::ports::{CacheError, RateDecision, RateLimit, RateLimiter};
use async_trait::async_trait;

use super::{Entries, Entry, MemoryCache, Value, deadline};
use crate::cache::rate_key;

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

/// Counts one hit; with `restart_when_full`, the hit that fills the counter
/// starts its window again.
fn bump(
    cache: &MemoryCache,
    entries: &mut Entries,
    limit: &RateLimit,
    now: Instant,
    restart_when_full: bool,
) -> Result<(), CacheError> {
    let key = rate_key(&limit.key);
    match entries.live(&key, now) {
        Some(Entry { value: Value::Counter(count), expires_at }) => {
            *count += 1;
            if restart_when_full && *count >= limit.max {
                *expires_at = deadline(now, limit.window);
            }
            Ok(())
        }
        _ => {
            let entry = Entry { value: Value::Counter(1), expires_at: deadline(now, limit.window) };
            entries.insert(key, entry, cache.capacity, now)
        }
    }
}

fn active(limits: &[RateLimit]) -> Vec<&RateLimit> {
    limits.iter().filter(|limit| limit.max > 0).collect()
}

impl MemoryCache {
    /// Counts one hit in every active limit if all have room, under one lock.
    fn take(&self, limits: &[RateLimit], restart_when_full: bool) -> Result<RateDecision, CacheError> {
        let now = Instant::now();
        let mut entries = self.entries.lock();
        let active = active(limits);
        if let Some(retry_after) = longest_wait(&mut entries, &active, now) {
            return Ok(RateDecision::Limited { retry_after });
        }
        for limit in active {
            bump(self, &mut entries, limit, now, restart_when_full)?;
        }
        Ok(RateDecision::Allowed)
    }
}

#[async_trait]
impl RateLimiter for MemoryCache {
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        self.take(limits, false)
    }

    async fn reserve(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError> {
        self.take(limits, true)
    }

    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError> {
        let now = Instant::now();
        let mut entries = self.entries.lock();
        for limit in active(limits) {
            let key = rate_key(&limit.key);
            if let Some(Entry { value: Value::Counter(count), .. }) = entries.live(&key, now) {
                if *count > 1 {
                    *count -= 1;
                } else {
                    entries.map.remove(&key);
                }
            }
        }
        Ok(())
    }

    async fn reset(&self, key: &str) -> Result<(), CacheError> {
        self.entries.lock().map.remove(&rate_key(key));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::CodeDigester;

    fn cache() -> MemoryCache {
        MemoryCache::new(CodeDigester::new(b"k"), 100)
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

    #[tokio::test]
    async fn concurrent_hits_never_exceed_the_maximum() {
        let cache = std::sync::Arc::new(cache());
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
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
