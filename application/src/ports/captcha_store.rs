use std::time::Duration;

use async_trait::async_trait;
use domain::{CaptchaId, CaptchaText};

use super::CacheError;

/// Short-lived captcha answers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CaptchaStore: Send + Sync {
    async fn put(&self, id: &CaptchaId, text: &CaptchaText, ttl: Duration) -> Result<(), CacheError>;
    /// Returns the answer and deletes it in one step, so each captcha is checked once.
    async fn take(&self, id: &CaptchaId) -> Result<Option<CaptchaText>, CacheError>;
}
