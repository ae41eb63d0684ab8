use std::time::Duration;

use application::ports::{CacheError, CodeCheck, CodeKey, VerificationCodeStore};
use async_trait::async_trait;
use domain::VerificationCode;
use fred::prelude::KeysInterface;
use fred::types::scripts::Script;

use super::{RedisCache, cache_error, millis};
use crate::code_key;

/// Replaces the pending code and its failure count, with the validity as TTL.
const SAVE: &str = r"
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'failures', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
";

/// Checks a candidate digest: consume on a match, count a failure otherwise,
/// burn on the last allowed failure. Answers {outcome, attempts_left} with
/// outcome 0 missing, 1 accepted, 2 rejected, 3 exhausted. Only keyed digests
/// are compared, so comparison timing reveals nothing about the code.
const CHECK: &str = r"
local digest = redis.call('HGET', KEYS[1], 'digest')
if not digest then return {0, 0} end
if digest == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {1, 0}
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local left = tonumber(ARGV[2]) - failures
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {3, 0}
end
return {2, left}
";

#[async_trait]
impl VerificationCodeStore for RedisCache {
    async fn save(&self, key: &CodeKey, code: &VerificationCode, ttl: Duration) -> Result<(), CacheError> {
        let scope = code_key(key);
        let digest = hex::encode(self.digester.digest(&scope, code.expose()));
        Script::from_lua(SAVE)
            .evalsha_with_reload::<i64, _, _>(
                self.connection(),
                vec![self.key(&scope)],
                vec![digest, millis(ttl).to_string()],
            )
            .await
            .map(|_| ())
            .map_err(cache_error)
    }

    async fn check(
        &self,
        key: &CodeKey,
        candidate: &VerificationCode,
        max_attempts: u32,
    ) -> Result<CodeCheck, CacheError> {
        let scope = code_key(key);
        let digest = hex::encode(self.digester.digest(&scope, candidate.expose()));
        let key = self.key(&scope);
        let connection = self.guarding_connection();
        let answer: Vec<i64> = Script::from_lua(CHECK)
            .evalsha_with_reload(connection, vec![key.clone()], vec![digest, max_attempts.to_string()])
            .await
            .map_err(cache_error)?;
        // Every answer but "missing" wrote: a code spent, a failure counted, a code burnt.
        if answer.first().is_some_and(|outcome| *outcome != 0) {
            self.confirm(connection, &key).await?;
        }
        match answer.as_slice() {
            [0, _] => Ok(CodeCheck::Missing),
            [1, _] => Ok(CodeCheck::Accepted),
            [2, left] => Ok(CodeCheck::Rejected { attempts_left: u32::try_from(*left).unwrap_or(0) }),
            [3, _] => Ok(CodeCheck::Exhausted),
            other => Err(CacheError::Other(format!("unexpected code check answer {other:?}"))),
        }
    }

    async fn discard(&self, key: &CodeKey) -> Result<(), CacheError> {
        self.pool.del::<i64, _>(self.key(&code_key(key))).await.map(|_| ()).map_err(cache_error)
    }
}
