use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::{AccountChangeLog, FreshnessLease, InstanceMemory};

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
    use std::sync::atomic::{AtomicBool, Ordering};

    use application::ports::{RepoError, TokenStanding};
    use async_trait::async_trait;
    use domain::UserId;
    use parking_lot::Mutex;
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::{AccountChange, FRESHNESS_BOUND, StandingCache};

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
}
