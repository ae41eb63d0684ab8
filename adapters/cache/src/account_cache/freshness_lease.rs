use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long memory may answer after the moment up to which every committed
/// change to an account is known to have been applied here.
pub const FRESHNESS_BOUND: Duration = Duration::from_secs(1);

/// Until when this instance's memory may answer: up to [`FRESHNESS_BOUND`]
/// after the start of the last successful read of the account-change log,
/// which saw every change committed before it began. An announcement on Redis
/// may be lost (the writer cut off from Redis, or killed between its commit
/// and its publish); the log is written in the change's own transaction, so a
/// change that committed is either applied here or, once the lease has run
/// out, memory no longer answers.
pub struct FreshnessLease {
    origin: Instant,
    /// Nanoseconds after `origin` until which memory may answer; 0 before the first read.
    until: AtomicU64,
}

impl Default for FreshnessLease {
    fn default() -> Self {
        Self { origin: Instant::now(), until: AtomicU64::new(0) }
    }
}

impl FreshnessLease {
    pub fn is_current(&self) -> bool {
        self.nanos(Instant::now()) < self.until.load(Ordering::SeqCst)
    }

    /// Every change committed before `read_began` has been applied: memory
    /// may answer until [`FRESHNESS_BOUND`] after it. A renewal older than the
    /// one held never shortens it.
    pub fn renew(&self, read_began: Instant) {
        let until = self.nanos(read_began + FRESHNESS_BOUND);
        self.until.fetch_max(until, Ordering::SeqCst);
    }

    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_current_only_within_the_bound_after_a_read_began() {
        let lease = FreshnessLease::default();
        assert!(!lease.is_current(), "never read: not current");
        lease.renew(Instant::now());
        assert!(lease.is_current());
        let lease = FreshnessLease::default();
        std::thread::sleep(Duration::from_millis(5));
        lease.renew(Instant::now().checked_sub(FRESHNESS_BOUND).unwrap());
        assert!(!lease.is_current(), "a read that began more than the bound ago proves nothing now");
    }

    #[test]
    fn an_older_read_does_not_shorten_the_lease() {
        let lease = FreshnessLease::default();
        lease.renew(Instant::now());
        lease.renew(Instant::now().checked_sub(FRESHNESS_BOUND * 2).unwrap_or_else(Instant::now));
        assert!(lease.is_current());
    }
}
