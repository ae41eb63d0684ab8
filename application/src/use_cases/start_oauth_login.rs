use std::sync::Arc;

use domain::LocalPath;

use crate::ports::WebLoginProvider;
use crate::ports::{FlowGrant, FlowKind};
use crate::{AppError, FlowTokens, OAuthPolicy};

/// `GET /oauth/{qq,wechat}/authorization/?next=`: a start ticket for the hop
/// (`GET /oauth/{qq,wechat}/start/?flow=`) that binds the login to the browser
/// and sends it on to the provider. The ticket is signed, single-use and valid
/// 10 minutes, names the provider and carries where to go after the login (a
/// local path, else `/`). It is no `state`: a ticket opens nothing by itself,
/// only the cookie the hop sets in the browser that follows it does.
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
        self.tokens.issue(&FlowGrant {
            kind: FlowKind::OAuthStart,
            subject: self.provider.provider().as_str().into(),
            target: Some(LocalPath::parse_or_root(next).to_string()),
            version: 0,
            ttl: self.policy.state_ttl,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockWebLoginProvider;
    use crate::ports::{MockFlowTokenSigner, MockRateLimiter, OAuthProvider};

    fn use_case(expected_next: &'static str) -> StartOAuthLogin {
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_sign()
            .withf(move |grant| {
                grant.kind == FlowKind::OAuthStart
                    && grant.subject == "wechat_web"
                    && grant.target.as_deref() == Some(expected_next)
                    && grant.ttl.as_secs() == 600
            })
            .times(1)
            .returning(|_| Ok("signed-ticket".into()));
        let mut provider = MockWebLoginProvider::new();
        provider.expect_provider().return_const(OAuthProvider::WechatWeb);
        let tokens = Arc::new(FlowTokens::new(Arc::new(signer), Arc::new(MockRateLimiter::new())));
        StartOAuthLogin::new(Arc::new(provider), tokens, OAuthPolicy::default())
    }

    #[test]
    fn the_ticket_names_the_provider_and_holds_a_local_next() {
        let ticket = use_case("/user_center_info.html").execute(Some("/user_center_info.html")).unwrap();
        assert_eq!(ticket, "signed-ticket");
    }

    #[test]
    fn a_next_that_could_leave_the_site_becomes_the_root() {
        assert!(use_case("/").execute(Some("//evil.example.com/")).is_ok());
        assert!(use_case("/").execute(None).is_ok());
    }
}
