use std::sync::Arc;
use std::time::Duration;

use application::use_cases::PurgeExpiredData;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Runs the retention job: a round at start, then one every `interval`, each removing
/// what has expired or aged out, in bounded batches (every instance runs one; they take
/// disjoint batches). A round that fails (the database down) is logged and the next one
/// tries again. Stops when `stop` turns true, after its current round.
pub fn spawn(purge: Arc<PurgeExpiredData>, interval: Duration, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let round = purge.run_once().await;
            if let Ok(report) = &round
                && report.codes_left_to_expire > 0
            {
                tracing::warn!(
                    codes = report.codes_left_to_expire,
                    "retention: erased accounts' pending codes the cache could not remove expire on their own"
                );
            }
            match round {
                Ok(report) if report.total() > 0 => tracing::info!(
                    refresh_tokens = report.refresh_tokens,
                    access_token_revocations = report.access_token_revocations,
                    outbox_messages = report.outbox_messages,
                    audit_events = report.audit_events,
                    account_changes = report.account_changes,
                    erased_accounts = report.erased_accounts,
                    "retention: old rows removed"
                ),
                Ok(_) => tracing::debug!("retention: nothing to remove"),
                Err(error) => tracing::warn!(%error, "retention round failed; will retry"),
            }
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
        }
        tracing::debug!("retention worker stopped");
    })
}
