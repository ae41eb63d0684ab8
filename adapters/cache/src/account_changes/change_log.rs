use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use application::ports::AccountChangeLog;
use tokio::task::JoinHandle;

use super::InstanceMemory;

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

/// How often the log is read: well inside the lease's bound, so that one
/// slow read does not make memory stop answering.
const READ_EVERY: Duration = Duration::from_millis(200);
/// A read that takes longer is abandoned and tried again; the lease runs out meanwhile.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// After this long without a complete read, the rows not read yet may have been purged
/// (the retention job keeps an hour of them): the reader starts over at the end of the
/// log, with an empty memory and a taken-names filter built anew.
const START_OVER_AFTER: Duration = Duration::from_secs(10 * 60);

/// Reads the account-change log for as long as the instance runs, applies
/// every change to `memory` and renews `lease` after each complete read.
pub fn follow_account_changes(
    mut log: Box<dyn AccountChangeLog>,
    memory: InstanceMemory,
    lease: Arc<FreshnessLease>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(READ_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut opened = false;
        let mut failing = false;
        let mut last_read = Instant::now();
        loop {
            ticks.tick().await;
            let began = Instant::now();
            let start_over = opened && began.duration_since(last_read) > START_OVER_AFTER;
            let read = async {
                if !opened || start_over {
                    log.open().await?;
                    opened = true;
                    return Ok(None);
                }
                log.read().await.map(Some)
            };
            match tokio::time::timeout(READ_TIMEOUT, read).await {
                Ok(Ok(changes)) => {
                    match changes {
                        Some(changes) => memory.apply(&changes),
                        None if start_over => {
                            tracing::warn!(
                                "the account-change log was out of reach too long to be caught up; starting over with an empty memory"
                            );
                            memory.start_over();
                        }
                        None => {}
                    }
                    last_read = began;
                    lease.renew(began);
                    if failing {
                        tracing::info!("the account-change log is read again; memory answers again");
                        failing = false;
                    }
                }
                Ok(Err(error)) => {
                    if !failing {
                        tracing::warn!(%error, "cannot read the account-change log; every token is checked in the database until it can be");
                        failing = true;
                    }
                }
                Err(_) => {
                    if !failing {
                        tracing::warn!(
                            "reading the account-change log timed out; every token is checked in the database until it can be read"
                        );
                        failing = true;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use application::ports::{AccountChange, RepoError, TokenStanding};
    use async_trait::async_trait;
    use domain::UserId;
    use parking_lot::Mutex;
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::StandingCache;

    #[derive(Clone, Default)]
    struct ScriptedLog {
        failing: Arc<AtomicBool>,
        pending: Arc<Mutex<Vec<AccountChange>>>,
    }

    #[async_trait]
    impl AccountChangeLog for ScriptedLog {
        async fn open(&mut self) -> Result<(), RepoError> {
            Ok(())
        }

        async fn read(&mut self) -> Result<Vec<AccountChange>, RepoError> {
            if self.failing.load(Ordering::SeqCst) {
                return Err(RepoError::Unavailable("down".into()));
            }
            Ok(std::mem::take(&mut *self.pending.lock()))
        }
    }

    async fn until(limit: Duration, condition: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if condition() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        condition()
    }

    #[tokio::test]
    async fn changes_read_are_forgotten_and_a_log_that_cannot_be_read_lets_the_lease_run_out() {
        let lease = Arc::new(FreshnessLease::default());
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true).leased_by(Arc::clone(&lease)));
        let log = ScriptedLog::default();
        let follower =
            follow_account_changes(Box::new(log.clone()), InstanceMemory::new(Arc::clone(&cache), None), lease.clone());
        assert!(until(Duration::from_secs(1), || lease.is_current()).await, "the first read grants the lease");

        let standing = TokenStanding { user: account(7), revoked: false };
        cache.remember(cache.ticket(), "jti", &standing);
        assert_eq!(cache.lookup(UserId(7), "jti"), Some(standing));
        log.pending.lock().push(AccountChange { user: UserId(7), names: None });
        assert!(until(Duration::from_millis(500), || cache.lookup(UserId(7), "jti").is_none()).await);

        log.failing.store(true, Ordering::SeqCst);
        assert!(until(FRESHNESS_BOUND + Duration::from_millis(300), || !lease.is_current()).await);
        log.failing.store(false, Ordering::SeqCst);
        assert!(until(Duration::from_secs(1), || lease.is_current()).await, "renewed once the log is read again");
        follower.abort();
    }

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
