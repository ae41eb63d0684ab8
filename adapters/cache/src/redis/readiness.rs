use application::Backend;
use application::ports::{NotReady, ReadinessProbe};
use async_trait::async_trait;
use fred::prelude::ClientLike;
use fred::types::{ClusterHash, CustomCommand};

use super::RedisCache;
use super::eviction_policy::EvictionPolicy;

impl RedisCache {
    /// A cluster with slots no master serves (a master down, not yet replaced
    /// by its replica) says `cluster_state:fail`: the keys of those slots
    /// cannot be read or written until the failover.
    async fn cluster_state(&self) -> Result<(), NotReady> {
        let info: String = self
            .connection()
            .custom(CustomCommand::new_static("CLUSTER", ClusterHash::Random, false), vec!["INFO"])
            .await
            .map_err(|e| NotReady::Unreachable(format!("CLUSTER INFO: {e}")))?;
        match info.lines().find_map(|line| line.trim().strip_prefix("cluster_state:")) {
            Some("ok") => Ok(()),
            Some(state) => Err(NotReady::Unreachable(format!("the Redis Cluster's state is {state}"))),
            None => Err(NotReady::Unreachable("CLUSTER INFO has no cluster_state".into())),
        }
    }
}

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
        if self.connection().is_clustered() {
            self.cluster_state().await?;
        }
        match self.eviction_policy().await {
            EvictionPolicy::Evicting(policy) => Err(NotReady::Misconfigured(format!(
                "Redis maxmemory-policy is {policy}: it may evict spent tokens, code attempts and locks; noeviction is required"
            ))),
            EvictionPolicy::NoEviction | EvictionPolicy::Unreported(_) => Ok(()),
        }
    }
}
