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

    /// Whether every limit still has room, counting nothing (for failure
    /// counters, checked before an attempt and counted only when it fails).
    async fn check(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError>;

    /// Counts one hit in each limit. A counter that reaches its maximum starts
    /// its window again, so the lock it causes lasts a whole window.
    async fn count(&self, limits: &[RateLimit]) -> Result<(), CacheError>;

    /// Takes back one hit of an earlier `acquire` of these limits, whose work
    /// then failed: a request that changed nothing costs nothing. A counter
    /// never goes below zero, and keeps its window.
    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError>;
    /// Forgets the counter under `key`.
    async fn reset(&self, key: &str) -> Result<(), CacheError>;
}
