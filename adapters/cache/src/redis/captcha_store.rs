use std::time::Duration;

use application::ports::{CacheError, CaptchaStore};
use async_trait::async_trait;
use domain::{CaptchaId, CaptchaText};
use fred::prelude::{Expiration, KeysInterface};

use super::{RedisCache, cache_error, millis};
use crate::captcha_key;

#[async_trait]
impl CaptchaStore for RedisCache {
    async fn put(&self, id: &CaptchaId, text: &CaptchaText, ttl: Duration) -> Result<(), CacheError> {
        self.pool
            .set::<(), _, _>(self.key(&captcha_key(id)), text.as_str(), Some(Expiration::PX(millis(ttl))), None, false)
            .await
            .map_err(cache_error)
    }

    async fn take(&self, id: &CaptchaId) -> Result<Option<CaptchaText>, CacheError> {
        // GETDEL: read and delete in one command, so a captcha is checked once.
        let key = self.key(&captcha_key(id));
        let connection = self.guarding_connection();
        let text: Option<String> = connection.getdel(&key).await.map_err(cache_error)?;
        if text.is_some() {
            self.confirm(connection, &key).await?;
        }
        Ok(text.and_then(|text| CaptchaText::parse(&text).ok()))
    }
}
