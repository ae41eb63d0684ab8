use std::time::Duration;

use application::ports::{CacheError, IdentityKey, SessionKeyStore};
use async_trait::async_trait;
use fred::prelude::{Expiration, KeysInterface};

use super::{RedisCache, cache_error, millis};
use crate::session_key_key;

#[async_trait]
impl SessionKeyStore for RedisCache {
    async fn keep(&self, identity: &IdentityKey, session_key: &str, ttl: Duration) -> Result<(), CacheError> {
        self.pool
            .set::<(), _, _>(
                self.key(&session_key_key(identity)),
                session_key,
                Some(Expiration::PX(millis(ttl))),
                None,
                false,
            )
            .await
            .map_err(cache_error)
    }

    async fn get(&self, identity: &IdentityKey) -> Result<Option<String>, CacheError> {
        self.pool.get(self.key(&session_key_key(identity))).await.map_err(cache_error)
    }
}
