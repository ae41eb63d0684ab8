use application::Backend;
use application::ports::{NotReady, ReadinessProbe};
use async_trait::async_trait;
use fred::prelude::ClientLike;

use super::RedisCache;
use super::eviction_policy::EvictionPolicy;

#[async_trait]
impl ReadinessProbe for RedisCache {
    fn backend(&self) -> Backend {
        Backend::Cache
    }

    /// Answers, and keeps what it is given until it expires: a Redis that
    /// will not tell its policy is given the benefit of the doubt (start-up
    /// warned about it).
    async fn check(&self) -> Result<(), NotReady> {
        self.connection().ping::<String>(None).await.map_err(|e| NotReady::Unreachable(e.to_string()))?;
        match self.eviction_policy().await {
            EvictionPolicy::Evicting(policy) => Err(NotReady::Misconfigured(format!(
                "Redis maxmemory-policy is {policy}: it may evict spent tokens, code attempts and locks; noeviction is required"
            ))),
            EvictionPolicy::NoEviction | EvictionPolicy::Unreported(_) => Ok(()),
        }
    }
}
