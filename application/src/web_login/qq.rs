use std::sync::Arc;

use async_trait::async_trait;

use super::{ProviderIdentity, WebLoginProvider};
use crate::AppError;
use crate::ports::{OAuthProvider, QqClient};
use crate::services::provider_failure::provider_failure;

/// QQ Connect as a website login.
pub struct QqWebLogin {
    qq: Arc<dyn QqClient>,
}

impl QqWebLogin {
    pub fn new(qq: Arc<dyn QqClient>) -> Self {
        Self { qq }
    }
}

#[async_trait]
impl WebLoginProvider for QqWebLogin {
    fn provider(&self) -> OAuthProvider {
        OAuthProvider::Qq
    }

    fn app_id(&self) -> String {
        self.qq.app_id()
    }

    fn authorize_url(&self, state: &str) -> String {
        self.qq.authorize_url(state)
    }

    async fn identify(&self, code: &str) -> Result<ProviderIdentity, AppError> {
        let identity = self.qq.identify(code).await.map_err(|e| provider_failure("qq", e))?;
        Ok(ProviderIdentity { openid: identity.openid, unionid: identity.unionid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockQqClient, ProviderError, QqIdentity};
    use crate::{Field, Problem};

    async fn identify(answer: Result<QqIdentity, ProviderError>) -> Result<ProviderIdentity, AppError> {
        let mut qq = MockQqClient::new();
        qq.expect_identify().withf(|code| code == "qq-code").times(1).returning(move |_| answer.clone());
        QqWebLogin::new(Arc::new(qq)).identify("qq-code").await
    }

    #[tokio::test]
    async fn the_identity_qq_names_is_passed_on() {
        let got = identify(Ok(QqIdentity { openid: "OPENID".into(), unionid: Some("UNIONID".into()) })).await;
        assert_eq!(got, Ok(ProviderIdentity { openid: "OPENID".into(), unionid: Some("UNIONID".into()) }));
    }

    #[tokio::test]
    async fn a_rejected_code_is_a_400_and_other_qq_failures_are_502_with_qq_s_code() {
        let got = identify(Err(ProviderError::CodeRejected)).await;
        assert_eq!(got, Err(AppError::field(Field::NonField, Problem::OAuthCodeInvalid)));
        let got =
            identify(Err(ProviderError::Refused { code: 100010, message: "redirect uri is illegal".into() })).await;
        assert_eq!(got, Err(AppError::Upstream { provider: "qq", code: Some(100010) }));
        let got = identify(Err(ProviderError::Unavailable("timeout".into()))).await;
        assert_eq!(got, Err(AppError::Upstream { provider: "qq", code: None }));
    }
}
