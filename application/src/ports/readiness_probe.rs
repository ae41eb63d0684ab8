use async_trait::async_trait;

use super::Backend;

/// A backing service that can tell whether it answers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    fn backend(&self) -> Backend;
    /// `Err` with a short reason when the service does not answer in time.
    async fn ping(&self) -> Result<(), String>;
}
