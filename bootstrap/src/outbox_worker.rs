use std::sync::Arc;
use std::time::Duration;

use application::use_cases::DeliverMessages;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Drains the outbox: one delivery round whenever a message is enqueued in
/// this process, at least every `poll` (messages from other instances, and
/// retries falling due), and at once again while rounds come back full.
/// Stops after its current round when `stop` turns true.
pub fn spawn(
    deliver: Arc<DeliverMessages>,
    wakeup: Arc<Notify>,
    poll: Duration,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let batch = usize::try_from(deliver.policy().batch_size).unwrap_or(usize::MAX);
        loop {
            let mut more_waiting = false;
            match deliver.run_once().await {
                Ok(report) => {
                    if report.dead > 0 {
                        tracing::warn!(
                            dead = report.dead,
                            "outbox messages given up on; see outbox_messages.last_error"
                        );
                    }
                    if report.retried > 0 {
                        tracing::info!(retried = report.retried, "outbox messages will be retried");
                    }
                    more_waiting = report.claimed >= batch;
                }
                Err(error) => tracing::warn!(%error, "outbox delivery round failed; will retry"),
            }
            if *stop.borrow() {
                break;
            }
            if more_waiting {
                continue;
            }
            tokio::select! {
                () = wakeup.notified() => {}
                () = tokio::time::sleep(poll) => {}
                _ = stop.changed() => break,
            }
        }
        tracing::debug!("outbox worker stopped");
    })
}
