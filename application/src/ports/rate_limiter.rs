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
    /// Whether a hit must outlive a failover of a replicated cache before it
    /// is allowed: a limit that guards a secret's single use, where a hit
    /// lost with a master would let the secret through a second time. The
    /// other limits ration cost, and a lost hit only lets one more through.
    pub durable: bool,
}

impl RateLimit {
    pub fn new(key: impl Into<String>, max: u32, window: Duration) -> Self {
        Self { key: key.into(), max, window, durable: false }
    }

    /// This limit, with hits that must outlive a failover.
    #[must_use]
    pub fn durable(self) -> Self {
        Self { durable: true, ..self }
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

/// The failure counters one password check is charged to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureLimits {
    /// Counters that, once full of failures, refuse a try openly (429): the
    /// name as typed, the client's address.
    pub open: Vec<RateLimit>,
    /// Counters that, once full of failures, keep the password from being
    /// checked without saying so: an account's, shared by all its names, so
    /// that its lock tells nobody which names belong to it.
    pub silent: Vec<RateLimit>,
    /// How long a try may wait for places held by checks still in flight.
    pub patience: Duration,
}

/// What a try got from its failure counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// A place is taken in every counter: check the password, then `settle`.
    Taken,
    /// An open counter is full: refuse the try; `retry_after` is the wait.
    Refused { retry_after: Duration },
    /// A silent counter is full (the open ones had room): the try was counted
    /// as a failure in the open counters, and its password must not be checked;
    /// `retry_after` is what is left of the silent lock.
    Withheld { retry_after: Duration },
}

/// How a check that had taken its places ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// A wrong password: the place stays, as a failure.
    Charged,
    /// A right password, or a check that could not finish: the place is given back.
    Refunded,
}

/// Counts hits against several limits at once.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// In one atomic step: if every limit has room, counts one hit in each and
    /// allows; otherwise counts nothing and reports the longest wait.
    /// Limits with `max == 0` are off and ignored.
    async fn acquire(&self, limits: &[RateLimit]) -> Result<RateDecision, CacheError>;

    /// Places in failure counters, taken before the costly check they guard (a
    /// password hash), so that a burst of tries cannot all pass a look at the
    /// counters together. Each look is one atomic step: an open counter full of
    /// failures refuses; else a silent one full of failures withholds (counting
    /// a failure in the open ones); else, if every counter has room, a place is
    /// taken and held in each. The hit that fills a counter starts its window
    /// again, so the lock it causes lasts a whole window.
    ///
    /// A counter full only because checks still in flight hold its places is
    /// no lock yet (they may all be right): the try waits for them to settle
    /// and looks again, for at most `limits.patience`. Then an open counter
    /// still full refuses (`retry_after` 1 s) and a silent one withholds.
    /// Limits with `max == 0` are off and ignored.
    async fn reserve(&self, limits: &FailureLimits) -> Result<Reservation, CacheError>;

    /// Ends the hold of places taken by `reserve`: a failure keeps them counted,
    /// anything else gives them back. A counter never goes below zero.
    async fn settle(&self, limits: &FailureLimits, settlement: Settlement) -> Result<(), CacheError>;

    /// Takes back one hit of an earlier `acquire` of these limits that must
    /// not count: a request whose work then failed changed nothing. A counter
    /// never goes below zero, and keeps its window.
    async fn release(&self, limits: &[RateLimit]) -> Result<(), CacheError>;

    /// Forgets the hits counted under `key`, except the places held by checks
    /// still in flight.
    async fn reset(&self, key: &str) -> Result<(), CacheError>;
}
