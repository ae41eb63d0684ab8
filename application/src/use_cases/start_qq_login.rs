use std::sync::Arc;

use domain::LocalPath;

use crate::ports::{FlowGrant, FlowKind, QqClient};
use crate::{AppError, FlowTokens, OAuthPolicy};

/// `GET /oauth/qq/authorization/?next=`: the QQ authorize URL with a fresh
/// `state`: random (a unique token id), signed, single-use, 10 minutes,
/// carrying where to go after the login (a local path, else `/`).
pub struct StartQqLogin {
    qq: Arc<dyn QqClient>,
    tokens: Arc<FlowTokens>,
    policy: OAuthPolicy,
}

impl StartQqLogin {
    pub fn new(qq: Arc<dyn QqClient>, tokens: Arc<FlowTokens>, policy: OAuthPolicy) -> Self {
        Self { qq, tokens, policy }
    }

    pub fn execute(&self, next: Option<&str>) -> Result<String, AppError> {
        let state = self.tokens.issue(&FlowGrant {
            kind: FlowKind::OAuthState,
            subject: "qq".into(),
            target: Some(LocalPath::parse_or_root(next).to_string()),
            version: 0,
            ttl: self.policy.state_ttl,
        })?;
        Ok(self.qq.authorize_url(&state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockFlowTokenSigner, MockQqClient, MockRateLimiter};

    fn use_case(expected_next: &'static str) -> StartQqLogin {
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_sign()
            .withf(move |grant| {
                grant.kind == FlowKind::OAuthState
                    && grant.subject == "qq"
                    && grant.target.as_deref() == Some(expected_next)
                    && grant.ttl.as_secs() == 600
            })
            .times(1)
            .returning(|_| Ok("signed-state".into()));
        let mut qq = MockQqClient::new();
        qq.expect_authorize_url()
            .withf(|state| state == "signed-state")
            .returning(|state| format!("https://graph.qq.com/oauth2.0/authorize?state={state}"));
        let tokens = Arc::new(FlowTokens::new(Arc::new(signer), Arc::new(MockRateLimiter::new())));
        StartQqLogin::new(Arc::new(qq), tokens, OAuthPolicy::default())
    }

    #[test]
    fn the_url_carries_a_signed_state_holding_a_local_next() {
        let url = use_case("/user_center_info.html").execute(Some("/user_center_info.html")).unwrap();
        assert_eq!(url, "https://graph.qq.com/oauth2.0/authorize?state=signed-state");
    }

    #[test]
    fn a_next_that_could_leave_the_site_becomes_the_root() {
        assert!(use_case("/").execute(Some("//evil.example.com/")).is_ok());
        assert!(use_case("/").execute(None).is_ok());
    }
}
