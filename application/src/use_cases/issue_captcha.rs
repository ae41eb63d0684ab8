use std::sync::Arc;

use domain::CaptchaId;

use crate::ports::{CaptchaRenderer, CaptchaStore};
use crate::{AppError, Field, Problem, VerificationPolicy};

/// Draws a captcha for a client-chosen id and remembers its answer.
pub struct IssueCaptcha {
    renderer: Arc<dyn CaptchaRenderer>,
    store: Arc<dyn CaptchaStore>,
    policy: VerificationPolicy,
}

impl IssueCaptcha {
    pub fn new(renderer: Arc<dyn CaptchaRenderer>, store: Arc<dyn CaptchaStore>, policy: VerificationPolicy) -> Self {
        Self { renderer, store, policy }
    }

    /// The PNG to show; asking again for the same id replaces the answer.
    pub async fn execute(&self, id: &str) -> Result<Vec<u8>, AppError> {
        let id = CaptchaId::parse(id).map_err(|e| AppError::field(Field::ImageCodeId, Problem::CaptchaId(e)))?;
        let captcha = self.renderer.render().await?;
        self.store.put(&id, &captcha.text, self.policy.captcha_ttl).await?;
        Ok(captcha.png)
    }
}

#[cfg(test)]
mod tests {
    use domain::{CaptchaIdError, CaptchaText};

    use super::*;
    use crate::Backend;
    use crate::ports::{CacheError, MockCaptchaRenderer, MockCaptchaStore, RenderedCaptcha};

    const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

    fn renderer() -> MockCaptchaRenderer {
        let mut renderer = MockCaptchaRenderer::new();
        renderer
            .expect_render()
            .returning(|| Ok(RenderedCaptcha { text: CaptchaText::parse("AB12").unwrap(), png: vec![0x89, b'P'] }));
        renderer
    }

    #[tokio::test]
    async fn stores_the_answer_for_the_configured_time_and_returns_the_picture() {
        let mut store = MockCaptchaStore::new();
        store
            .expect_put()
            .withf(|id, text, ttl| id.as_str() == ID && text.as_str() == "AB12" && ttl.as_secs() == 300)
            .times(1)
            .returning(|_, _, _| Ok(()));
        let png = IssueCaptcha::new(Arc::new(renderer()), Arc::new(store), VerificationPolicy::default())
            .execute(ID)
            .await
            .unwrap();
        assert_eq!(png, vec![0x89, b'P']);
    }

    #[tokio::test]
    async fn refuses_an_id_that_is_not_a_uuid() {
        let got = IssueCaptcha::new(
            Arc::new(MockCaptchaRenderer::new()),
            Arc::new(MockCaptchaStore::new()),
            VerificationPolicy::default(),
        )
        .execute("nope")
        .await;
        assert_eq!(got, Err(AppError::field(Field::ImageCodeId, Problem::CaptchaId(CaptchaIdError::Format))));
    }

    #[tokio::test]
    async fn a_cache_outage_is_unavailable() {
        let mut store = MockCaptchaStore::new();
        store.expect_put().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        let got =
            IssueCaptcha::new(Arc::new(renderer()), Arc::new(store), VerificationPolicy::default()).execute(ID).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Cache)));
    }
}
