use application::Backend;
use application::ports::ReadinessProbe;
use async_trait::async_trait;

use super::MemoryCache;

/// The in-process cache is as available as the process itself.
#[async_trait]
impl ReadinessProbe for MemoryCache {
    fn backend(&self) -> Backend {
        Backend::Cache
    }

    async fn ping(&self) -> Result<(), String> {
        Ok(())
    }
}
