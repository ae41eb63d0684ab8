use std::time::Duration;

use async_trait::async_trait;

use super::CacheError;

/// At most `max` hits per `window` under `key` (a fixed window that starts at
/// the first hit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    pub key: String,
    pub max: u32,
    pub window: Duration,
}

impl RateLimit {
    pub fn new(key: impl Into<String>, max: u32, window: Duration) -> Self {
        Self { key: key.into(), max, window }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    /// Refused; the earliest moment another try can pass is `retry_after` away.
    Limited {
        retry_after: Duration,
    },
}

/// Counts hits against several limits at once.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// In one atomic step: if every limit has room, counts one hit in each and
    /// allows; otherwise counts nothing and reports the longest wait.
    /// Limits with `max == 0` are off and ignored.
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError>;

    /// A failure counter's slot, taken before the costly check it guards (a
    /// password hash), so that a burst of tries cannot all pass a look at the
    /// counter together: in one atomic step, if every limit has room, counts
    /// one hit in each and allows; otherwise counts nothing and reports the
    /// longest wait. The hit that fills a counter starts its window again, so
    /// the lock it causes lasts a whole window. A try that turns out not to be
    /// a failure gives its slot back with `release` (or `reset`).
    async fn reserve(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError>;

    /// Takes back one hit of an earlier `acquire` or `reserve` of these
    /// limits that must not count: a request whose work then failed changed
    /// nothing, and a reserved try that did not fail is no failure. A counter
    /// never goes below zero, and keeps its window.
    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError>;
    /// Forgets the counter under `key`.
    async fn reset(&self, key: &str) -> Result<(), CacheError>;
}
