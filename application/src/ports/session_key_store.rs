use std::time::Duration;

use async_trait::async_trait;

use super::{CacheError, IdentityKey};

/// WeChat's `session_key` per mini-program identity, kept server-side (in the
/// cache, with a lifetime) for the calls that need it later (decrypting and
/// checking mini-program data). Never returned to a client, never logged.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionKeyStore: Send + Sync {
    /// Keeps the newest key of the identity, replacing an older one.
    async fn keep(&self, identity: &IdentityKey, session_key: &str, ttl: Duration) -> Result<(), CacheError>;
    async fn get(&self, identity: &IdentityKey) -> Result<Option<String>, CacheError>;
}
