use application::Backend;
use application::ports::ReadinessProbe;
use async_trait::async_trait;
use fred::prelude::ClientLike;

use super::RedisCache;

#[async_trait]
impl ReadinessProbe for RedisCache {
    fn backend(&self) -> Backend {
        Backend::Cache
    }

    async fn ping(&self) -> Result<(), String> {
        self.connection().ping::<String>(None).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
