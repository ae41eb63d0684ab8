use std::sync::Arc;

use domain::LocalPath;

use crate::ports::{FlowGrant, FlowKind};
use crate::web_login::WebLoginProvider;
use crate::{AppError, FlowTokens, OAuthPolicy};

/// `GET /oauth/{qq,wechat}/authorization/?next=`: the provider's authorize URL
/// with a fresh `state`: random (a unique token id), signed, single-use,
/// 10 minutes, naming the provider and carrying where to go after the login
/// (a local path, else `/`).
pub struct StartOAuthLogin {
    provider: Arc<dyn WebLoginProvider>,
    tokens: Arc<FlowTokens>,
    policy: OAuthPolicy,
}

impl StartOAuthLogin {
    pub fn new(provider: Arc<dyn WebLoginProvider>, tokens: Arc<FlowTokens>, policy: OAuthPolicy) -> Self {
        Self { provider, tokens, policy }
    }

    pub fn execute(&self, next: Option<&str>) -> Result<String, AppError> {
        let state = self.tokens.issue(&FlowGrant {
            kind: FlowKind::OAuthState,
            subject: self.provider.provider().as_str().into(),
            target: Some(LocalPath::parse_or_root(next).to_string()),
            version: 0,
            ttl: self.policy.state_ttl,
        })?;
        Ok(self.provider.authorize_url(&state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockFlowTokenSigner, MockRateLimiter, OAuthProvider};
    use crate::web_login::MockWebLoginProvider;

    fn use_case(expected_next: &'static str) -> StartOAuthLogin {
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_sign()
            .withf(move |grant| {
                grant.kind == FlowKind::OAuthState
                    && grant.subject == "wechat_web"
                    && grant.target.as_deref() == Some(expected_next)
                    && grant.ttl.as_secs() == 600
            })
            .times(1)
            .returning(|_| Ok("signed-state".into()));
        let mut provider = MockWebLoginProvider::new();
        provider.expect_provider().return_const(OAuthProvider::WechatWeb);
        provider
            .expect_authorize_url()
            .withf(|state| state == "signed-state")
            .returning(|state| format!("https://open.weixin.qq.com/connect/qrconnect?state={state}"));
        let tokens = Arc::new(FlowTokens::new(Arc::new(signer), Arc::new(MockRateLimiter::new())));
        StartOAuthLogin::new(Arc::new(provider), tokens, OAuthPolicy::default())
    }

    #[test]
    fn the_url_carries_a_signed_state_naming_the_provider_and_holding_a_local_next() {
        let url = use_case("/user_center_info.html").execute(Some("/user_center_info.html")).unwrap();
        assert_eq!(url, "https://open.weixin.qq.com/connect/qrconnect?state=signed-state");
    }

    #[test]
    fn a_next_that_could_leave_the_site_becomes_the_root() {
        assert!(use_case("/").execute(Some("//evil.example.com/")).is_ok());
        assert!(use_case("/").execute(None).is_ok());
    }
}
