use std::sync::Arc;
use std::time::Duration;

use application::ports::{CacheError, CaptchaStore, DevCaptcha};
use async_trait::async_trait;
use chrono::Utc;
use domain::{CaptchaId, CaptchaText};

use super::DevOutbox;

/// Development decorator of a [`CaptchaStore`] that also shows each answer in
/// the [`DevOutbox`], so end-to-end tests need not read the picture.
pub struct RecordingCaptchaStore {
    inner: Arc<dyn CaptchaStore>,
    outbox: Arc<DevOutbox>,
}

impl RecordingCaptchaStore {
    pub fn new(inner: Arc<dyn CaptchaStore>, outbox: Arc<DevOutbox>) -> Self {
        Self { inner, outbox }
    }
}

#[async_trait]
impl CaptchaStore for RecordingCaptchaStore {
    async fn put(&self, id: &CaptchaId, text: &CaptchaText, ttl: Duration) -> Result<(), CacheError> {
        self.inner.put(id, text, ttl).await?;
        self.outbox.record_captcha(DevCaptcha {
            id: id.to_string(),
            text: text.as_str().to_owned(),
            created_at: Utc::now(),
        });
        Ok(())
    }

    async fn take(&self, id: &CaptchaId) -> Result<Option<CaptchaText>, CacheError> {
        self.inner.take(id).await
    }
}
