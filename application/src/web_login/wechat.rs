use std::sync::Arc;

use async_trait::async_trait;

use crate::ports::{OAuthProvider, ProviderError, ProviderIdentity, WeChatClient, WebLoginProvider};

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

    async fn identify(&self, code: &str) -> Result<ProviderIdentity, ProviderError> {
        let identity = self.wechat.web_identify(code).await?;
        Ok(ProviderIdentity { openid: identity.openid, unionid: identity.unionid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockWeChatClient, WebIdentity};

    async fn identify(answer: Result<WebIdentity, ProviderError>) -> Result<ProviderIdentity, ProviderError> {
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
    async fn wechat_s_failure_is_passed_on_for_the_use_case_to_answer() {
        let got = identify(Err(ProviderError::CodeRejected)).await;
        assert_eq!(got, Err(ProviderError::CodeRejected));
    }
}
