//! SIGINT and SIGTERM, listened for from before the server binds.
//!
//! Until a listener is installed, SIGTERM has its default action and kills
//! the process on the spot. Installing the listeners before the port opens
//! means a signal sent as soon as the service looks up (or during start-up)
//! is kept and stops the server gracefully once it runs.

use std::io;

/// Installed SIGINT/SIGTERM listeners; a signal that arrives before
/// `received` is awaited is remembered, not lost.
pub struct ShutdownSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    /// Replaces the default actions of SIGINT and SIGTERM (for the rest of
    /// the process's life). Must be called inside the Tokio runtime.
    pub fn install() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self { interrupt: signal(SignalKind::interrupt())?, terminate: signal(SignalKind::terminate())? })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves at the first SIGINT or SIGTERM since `install`.
    pub async fn received(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        // Ctrl-C registers when first polled there; without SIGTERM there is no early-signal gap to close.
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}
