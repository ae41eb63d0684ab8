use async_trait::async_trait;

use super::Backend;

/// Why a backing service is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// It does not answer (in time). The reason is for the log only: it may
    /// name hosts and addresses.
    Unreachable(String),
    /// It answers, but runs with a setting that breaks a guarantee of this
    /// service. The reason names the setting and may be shown to whoever asks.
    Misconfigured(String),
}

/// A backing service that can tell whether it answers, and is fit for use.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    fn backend(&self) -> Backend;
    /// Whether the service answers in time and with the settings this service needs.
    async fn check(&self) -> Result<(), NotReady>;
}
