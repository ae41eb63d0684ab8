use std::net::IpAddr;
use std::sync::Arc;

use domain::CaptchaId;

use crate::ports::{CaptchaRenderer, CaptchaStore, RateDecision, RateLimiter};
use crate::{AppError, Field, Problem, VerificationPolicy};

/// Draws a captcha for a client-chosen id and remembers its answer. Rationed
/// per client network: each picture costs CPU and a cache entry for its
/// lifetime, so they must not be free to a flood.
pub struct IssueCaptcha {
    renderer: Arc<dyn CaptchaRenderer>,
    store: Arc<dyn CaptchaStore>,
    limiter: Arc<dyn RateLimiter>,
    policy: VerificationPolicy,
}

impl IssueCaptcha {
    pub fn new(
        renderer: Arc<dyn CaptchaRenderer>,
        store: Arc<dyn CaptchaStore>,
        limiter: Arc<dyn RateLimiter>,
        policy: VerificationPolicy,
    ) -> Self {
        Self { renderer, store, limiter, policy }
    }

    /// The PNG to show; asking again for the same id replaces the answer.
    pub async fn execute(&self, id: &str, client_ip: IpAddr) -> Result<Vec<u8>, AppError> {
        let id = CaptchaId::parse(id).map_err(|e| AppError::field(Field::ImageCodeId, Problem::CaptchaId(e)))?;
        let limit = [self.policy.captcha_limit(client_ip)];
        if let RateDecision::Limited { retry_after } = self.limiter.acquire(&limit).await? {
            return Err(AppError::RateLimited { retry_after });
        }
        let issued = self.draw_and_keep(&id).await;
        if issued.is_err() {
            // A captcha that was never kept must not cost the client its allowance.
            let _refund = self.limiter.release(&limit).await;
        }
        issued
    }

    async fn draw_and_keep(&self, id: &CaptchaId) -> Result<Vec<u8>, AppError> {
        let captcha = self.renderer.render().await?;
        self.store.put(id, &captcha.text, self.policy.captcha_ttl).await?;
        Ok(captcha.png)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use domain::{CaptchaIdError, CaptchaText};

    use super::*;
    use crate::Backend;
    use crate::ports::{
        CacheError, MockCaptchaRenderer, MockCaptchaStore, MockRateLimiter, RenderError, RenderedCaptcha,
    };

    const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 3));

    fn renderer() -> MockCaptchaRenderer {
        let mut renderer = MockCaptchaRenderer::new();
        renderer
            .expect_render()
            .returning(|| Ok(RenderedCaptcha { text: CaptchaText::parse("AB12").unwrap(), png: vec![0x89, b'P'] }));
        renderer
    }

    /// A limiter that lets the hit through and expects `releases` refunds.
    fn open_limiter(releases: usize) -> MockRateLimiter {
        let mut limiter = MockRateLimiter::new();
        limiter
            .expect_acquire()
            .withf(|limits| {
                limits.len() == 1
                    && limits[0].key == "captcha:ip:10.0.0.3"
                    && limits[0].max == 30
                    && limits[0].window == Duration::from_secs(60)
            })
            .times(1)
            .returning(|_| Ok(RateDecision::Allowed));
        limiter.expect_release().times(releases).returning(|_| Ok(()));
        limiter
    }

    fn issue(renderer: MockCaptchaRenderer, store: MockCaptchaStore, limiter: MockRateLimiter) -> IssueCaptcha {
        IssueCaptcha::new(Arc::new(renderer), Arc::new(store), Arc::new(limiter), VerificationPolicy::default())
    }

    #[tokio::test]
    async fn stores_the_answer_for_the_configured_time_and_returns_the_picture() {
        let mut store = MockCaptchaStore::new();
        store
            .expect_put()
            .withf(|id, text, ttl| id.as_str() == ID && text.as_str() == "AB12" && ttl.as_secs() == 300)
            .times(1)
            .returning(|_, _, _| Ok(()));
        let png = issue(renderer(), store, open_limiter(0)).execute(ID, IP).await.unwrap();
        assert_eq!(png, vec![0x89, b'P']);
    }

    #[tokio::test]
    async fn refuses_an_id_that_is_not_a_uuid_before_counting_it() {
        let got = issue(MockCaptchaRenderer::new(), MockCaptchaStore::new(), MockRateLimiter::new())
            .execute("nope", IP)
            .await;
        assert_eq!(got, Err(AppError::field(Field::ImageCodeId, Problem::CaptchaId(CaptchaIdError::Format))));
    }

    #[tokio::test]
    async fn a_client_over_its_limit_is_told_when_to_retry_and_nothing_is_drawn() {
        let mut limiter = MockRateLimiter::new();
        limiter.expect_acquire().returning(|_| Ok(RateDecision::Limited { retry_after: Duration::from_secs(17) }));
        let got = issue(MockCaptchaRenderer::new(), MockCaptchaStore::new(), limiter).execute(ID, IP).await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: Duration::from_secs(17) }));
    }

    #[tokio::test]
    async fn busy_renderers_shed_the_request_with_a_one_second_retry_and_refund_the_hit() {
        let mut renderer = MockCaptchaRenderer::new();
        renderer.expect_render().returning(|| Err(RenderError::Busy));
        let got = issue(renderer, MockCaptchaStore::new(), open_limiter(1)).execute(ID, IP).await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: Duration::from_secs(1) }));
    }

    #[tokio::test]
    async fn a_cache_outage_is_unavailable_and_refunds_the_hit() {
        let mut store = MockCaptchaStore::new();
        store.expect_put().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        let got = issue(renderer(), store, open_limiter(1)).execute(ID, IP).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Cache)));

        let mut limiter = MockRateLimiter::new();
        limiter.expect_acquire().returning(|_| Err(CacheError::Unavailable("down".into())));
        let got = issue(MockCaptchaRenderer::new(), MockCaptchaStore::new(), limiter).execute(ID, IP).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Cache)));
    }
}
