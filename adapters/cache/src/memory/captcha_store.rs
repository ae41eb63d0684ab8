use std::time::{Duration, Instant};

use application::ports::{CacheError, CaptchaStore};
use async_trait::async_trait;
use domain::{CaptchaId, CaptchaText};

use super::{Entry, MemoryCache, Value, deadline};
use crate::captcha_key;

#[async_trait]
impl CaptchaStore for MemoryCache {
    async fn put(&self, id: &CaptchaId, text: &CaptchaText, ttl: Duration) -> Result<(), CacheError> {
        let now = Instant::now();
        let entry = Entry { value: Value::Text(text.as_str().to_owned()), expires_at: deadline(now, ttl) };
        self.entries.lock().insert(captcha_key(id), entry, self.capacity, now)
    }

    async fn take(&self, id: &CaptchaId) -> Result<Option<CaptchaText>, CacheError> {
        let key = captcha_key(id);
        let mut entries = self.entries.lock();
        if entries.live(&key, Instant::now()).is_none() {
            return Ok(None);
        }
        Ok(match entries.map.remove(&key).map(|entry| entry.value) {
            Some(Value::Text(text)) => CaptchaText::parse(&text).ok(),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use security::{CodeDigester, ServiceSecret};

    fn id() -> CaptchaId {
        CaptchaId::parse("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap()
    }

    #[tokio::test]
    async fn a_captcha_is_taken_once() {
        let cache = MemoryCache::new(CodeDigester::new(&ServiceSecret::from(b"k")), 10);
        cache.put(&id(), &CaptchaText::parse("AB12").unwrap(), Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.take(&id()).await.unwrap(), Some(CaptchaText::parse("ab12").unwrap()));
        assert_eq!(cache.take(&id()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_captcha_expires() {
        let cache = MemoryCache::new(CodeDigester::new(&ServiceSecret::from(b"k")), 10);
        cache.put(&id(), &CaptchaText::parse("AB12").unwrap(), Duration::from_millis(20)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(cache.take(&id()).await.unwrap(), None);
    }
}
