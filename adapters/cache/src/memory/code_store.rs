use std::time::{Duration, Instant};

use application::ports::{CacheError, CodeCheck, CodeKey, VerificationCodeStore};
use async_trait::async_trait;
use domain::VerificationCode;

use super::{Entry, MemoryCache, Value, deadline};
use crate::code_key;

#[async_trait]
impl VerificationCodeStore for MemoryCache {
    async fn save(&self, key: &CodeKey, code: &VerificationCode, ttl: Duration) -> Result<(), CacheError> {
        let now = Instant::now();
        let key = code_key(key);
        let digest = self.digester.digest(&key, code.expose());
        let entry = Entry { value: Value::Code { digest, failures: 0 }, expires_at: deadline(now, ttl) };
        self.entries.lock().insert(key, entry, self.capacity, now)
    }

    async fn check(
        &self,
        key: &CodeKey,
        candidate: &VerificationCode,
        max_attempts: u32,
    ) -> Result<CodeCheck, CacheError> {
        let key = code_key(key);
        let mut entries = self.entries.lock();
        let Some(entry) = entries.live(&key, Instant::now()) else {
            return Ok(CodeCheck::Missing);
        };
        let Value::Code { digest, failures } = &mut entry.value else {
            return Ok(CodeCheck::Missing);
        };
        if self.digester.matches(digest, &key, candidate.expose()) {
            entries.map.remove(&key);
            return Ok(CodeCheck::Accepted);
        }
        *failures += 1;
        let attempts_left = max_attempts.saturating_sub(*failures);
        if attempts_left == 0 {
            entries.map.remove(&key);
            return Ok(CodeCheck::Exhausted);
        }
        Ok(CodeCheck::Rejected { attempts_left })
    }

    async fn discard(&self, key: &CodeKey) -> Result<(), CacheError> {
        self.entries.lock().map.remove(&code_key(key));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use application::ports::{Channel, CodePurpose};

    use super::*;
    use security::{CodeDigester, ServiceSecret};

    fn key() -> CodeKey {
        CodeKey { channel: Channel::Sms, purpose: CodePurpose::Register, target: "13800138000".into() }
    }

    fn code(digits: &str) -> VerificationCode {
        VerificationCode::parse(digits).unwrap()
    }

    fn cache() -> MemoryCache {
        MemoryCache::new(CodeDigester::new(&ServiceSecret::from(b"k")), 10)
    }

    #[tokio::test]
    async fn the_right_code_is_accepted_once() {
        let cache = cache();
        cache.save(&key(), &code("123456"), Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.check(&key(), &code("123456"), 5).await.unwrap(), CodeCheck::Accepted);
        assert_eq!(cache.check(&key(), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
    }

    #[tokio::test]
    async fn the_fifth_wrong_try_burns_the_code() {
        let cache = cache();
        cache.save(&key(), &code("123456"), Duration::from_secs(60)).await.unwrap();
        for left in (1..5).rev() {
            assert_eq!(
                cache.check(&key(), &code("000000"), 5).await.unwrap(),
                CodeCheck::Rejected { attempts_left: left }
            );
        }
        assert_eq!(cache.check(&key(), &code("000000"), 5).await.unwrap(), CodeCheck::Exhausted);
        assert_eq!(cache.check(&key(), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
    }

    #[tokio::test]
    async fn a_new_code_replaces_the_old_one_and_its_failures() {
        let cache = cache();
        cache.save(&key(), &code("111111"), Duration::from_secs(60)).await.unwrap();
        cache.check(&key(), &code("000000"), 2).await.unwrap();
        cache.save(&key(), &code("222222"), Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.check(&key(), &code("111111"), 2).await.unwrap(), CodeCheck::Rejected { attempts_left: 1 });
        assert_eq!(cache.check(&key(), &code("222222"), 2).await.unwrap(), CodeCheck::Accepted);
    }

    #[tokio::test]
    async fn codes_expire_and_are_kept_only_as_digests() {
        let cache = cache();
        cache.save(&key(), &code("123456"), Duration::from_millis(20)).await.unwrap();
        let stored = format!("{:?}", cache.entries.lock().map);
        assert!(!stored.contains("123456"));
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(cache.check(&key(), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
    }
}
