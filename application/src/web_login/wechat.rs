use std::sync::Arc;

use async_trait::async_trait;

use super::{ProviderIdentity, WebLoginProvider};
use crate::AppError;
use crate::ports::{OAuthProvider, WeChatClient};
use crate::services::provider_failure::provider_failure;

/// The WeChat QR login of the website app (Open Platform).
pub struct WeChatWebLogin {
    wechat: Arc<dyn WeChatClient>,
}

impl WeChatWebLogin {
    pub fn new(wechat: Arc<dyn WeChatClient>) -> Self {
        Self { wechat }
    }
}

#[async_trait]
impl WebLoginProvider for WeChatWebLogin {
    fn provider(&self) -> OAuthProvider {
        OAuthProvider::WechatWeb
    }

    fn app_id(&self) -> String {
        self.wechat.web_app_id()
    }

    fn authorize_url(&self, state: &str) -> String {
        self.wechat.web_authorize_url(state)
    }

    async fn identify(&self, code: &str) -> Result<ProviderIdentity, AppError> {
        let identity = self.wechat.web_identify(code).await.map_err(|e| provider_failure("wechat", e))?;
        Ok(ProviderIdentity { openid: identity.openid, unionid: identity.unionid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockWeChatClient, ProviderError, WebIdentity};
    use crate::{Field, Problem};

    async fn identify(answer: Result<WebIdentity, ProviderError>) -> Result<ProviderIdentity, AppError> {
        let mut wechat = MockWeChatClient::new();
        wechat.expect_web_identify().withf(|code| code == "wx-code").times(1).returning(move |_| answer.clone());
        WeChatWebLogin::new(Arc::new(wechat)).identify("wx-code").await
    }

    #[tokio::test]
    async fn the_identity_wechat_names_is_passed_on() {
        let got = identify(Ok(WebIdentity {
            openid: "WEB-OPENID".into(),
            unionid: Some("UNION".into()),
            nickname: Some("小明".into()),
            avatar: None,
        }))
        .await;
        assert_eq!(got, Ok(ProviderIdentity { openid: "WEB-OPENID".into(), unionid: Some("UNION".into()) }));
    }

    #[tokio::test]
    async fn a_refused_code_is_a_400_and_wechat_down_a_502() {
        let got = identify(Err(ProviderError::CodeRejected)).await;
        assert_eq!(got, Err(AppError::field(Field::NonField, Problem::OAuthCodeInvalid)));
        let got = identify(Err(ProviderError::Unavailable("busy after retries".into()))).await;
        assert_eq!(got, Err(AppError::Upstream { provider: "wechat", code: None }));
    }
}
