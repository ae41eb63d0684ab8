use std::time::{Duration, Instant};

use application::ports::{CacheError, IdentityKey, SessionKeyStore};
use async_trait::async_trait;

use super::{Entry, MemoryCache, Value, deadline};
use crate::session_key_key;

#[async_trait]
impl SessionKeyStore for MemoryCache {
    async fn keep(&self, identity: &IdentityKey, session_key: &str, ttl: Duration) -> Result<(), CacheError> {
        let now = Instant::now();
        let entry = Entry { value: Value::Text(session_key.to_owned()), expires_at: deadline(now, ttl) };
        self.entries.lock().insert(session_key_key(identity), entry, self.capacity, now)
    }

    async fn get(&self, identity: &IdentityKey) -> Result<Option<String>, CacheError> {
        let mut entries = self.entries.lock();
        Ok(match entries.live(&session_key_key(identity), Instant::now()).map(|entry| &entry.value) {
            Some(Value::Text(key)) => Some(key.clone()),
            _ => None,
        })
    }
}
