use application::Backend;
use application::ports::{NotReady, ReadinessProbe};
use async_trait::async_trait;

use super::MemoryCache;

/// The in-process cache is as available as the process itself.
#[async_trait]
impl ReadinessProbe for MemoryCache {
    fn backend(&self) -> Backend {
        Backend::Cache
    }

    async fn check(&self) -> Result<(), NotReady> {
        Ok(())
    }
}
