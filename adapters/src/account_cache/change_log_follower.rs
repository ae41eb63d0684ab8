use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::{AccountChangeLog, FreshnessLease, InstanceMemory};

/// How often the log is read: well inside the lease's bound, so that one
/// slow read does not make memory stop answering.
const READ_EVERY: Duration = Duration::from_millis(200);
/// A read that takes longer is abandoned and tried again; the lease runs out meanwhile.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

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
        loop {
            ticks.tick().await;
            let began = Instant::now();
            let read = async {
                if !opened {
                    log.open().await?;
                    opened = true;
                    return Ok(Vec::new());
                }
                log.read().await
            };
            match tokio::time::timeout(READ_TIMEOUT, read).await {
                Ok(Ok(changes)) => {
                    memory.apply(&changes);
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
