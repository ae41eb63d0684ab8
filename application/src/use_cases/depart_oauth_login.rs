use std::sync::Arc;
use std::time::Duration;

use domain::LocalPath;

use crate::ports::WebLoginProvider;
use crate::ports::{Clock, FlowGrant, FlowKind};
use crate::{AppError, Field, FlowTokens, OAuthPolicy, Problem};

/// Where the hop sends the browser, and the flow it keeps in the browser's cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthDeparture {
    /// The cookie's value: a signed flow of its own, with a fresh id nobody else has
    /// seen, so only this browser can bring the login back.
    pub flow: String,
    pub flow_ttl: Duration,
    /// The provider's authorize page; its `state` is the `next` itself (without a
    /// fragment), so that the classic callback page's `location.href = decodeURI(state)`
    /// lands there.
    pub authorize_url: String,
}

/// `GET /oauth/{qq,wechat}/start/?flow=`: the hop between the start of a login and the
/// provider. Spends the start ticket and hands the login to the browser that followed
/// it: a single-use flow (10 minutes) for its cookie, and the provider's page.
pub struct DepartOAuthLogin {
    provider: Arc<dyn WebLoginProvider>,
    tokens: Arc<FlowTokens>,
    clock: Arc<dyn Clock>,
    policy: OAuthPolicy,
}

impl DepartOAuthLogin {
    pub fn new(
        provider: Arc<dyn WebLoginProvider>,
        tokens: Arc<FlowTokens>,
        clock: Arc<dyn Clock>,
        policy: OAuthPolicy,
    ) -> Self {
        Self { provider, tokens, clock, policy }
    }

    pub async fn execute(&self, ticket: &str) -> Result<OAuthDeparture, AppError> {
        let refused = || AppError::field(Field::State, Problem::StateInvalid);
        let provider = self.provider.provider().as_str();
        // Checked before it is spent, so another provider's ticket does not cost its owner the login.
        let claims = self.tokens.inspect(ticket, FlowKind::OAuthStart, Field::State, Problem::StateInvalid)?;
        if claims.subject != provider {
            return Err(refused());
        }
        self.tokens.redeem(ticket, FlowKind::OAuthStart, self.clock.now(), Field::State, Problem::StateInvalid).await?;
        let next = LocalPath::parse_or_root(claims.target.as_deref());
        let flow = self.tokens.issue(&FlowGrant {
            kind: FlowKind::OAuthFlow,
            subject: provider.to_owned(),
            target: Some(next.to_string()),
            version: 0,
            ttl: self.policy.state_ttl,
        })?;
        Ok(OAuthDeparture {
            flow,
            flow_ttl: self.policy.state_ttl,
            authorize_url: self.provider.authorize_url(next.provider_state()),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ports::MockWebLoginProvider;
    use crate::ports::{MockClock, MockFlowTokenSigner, MockRateLimiter, OAuthProvider, RateDecision, TokenError};
    use crate::services::flow_tokens::tests::claims;

    struct Ports {
        signer: MockFlowTokenSigner,
        uses: MockRateLimiter,
        provider: MockWebLoginProvider,
    }

    impl Ports {
        fn new() -> Self {
            let mut provider = MockWebLoginProvider::new();
            provider.expect_provider().return_const(OAuthProvider::Qq);
            Self { signer: MockFlowTokenSigner::new(), uses: MockRateLimiter::new(), provider }
        }

        fn use_case(self) -> DepartOAuthLogin {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            DepartOAuthLogin::new(
                Arc::new(self.provider),
                Arc::new(FlowTokens::new(Arc::new(self.signer), Arc::new(self.uses))),
                Arc::new(clock),
                OAuthPolicy::default(),
            )
        }
    }

    #[tokio::test]
    async fn a_ticket_becomes_a_fresh_flow_for_the_cookie_and_the_provider_gets_next_as_state() {
        let mut ports = Ports::new();
        ports
            .signer
            .expect_verify()
            .withf(|token, kind| token == "ticket" && *kind == FlowKind::OAuthStart)
            .returning(|_, _| Ok(claims(FlowKind::OAuthStart, "qq", Some("/goods/1.html?sku=2#top"), 0)));
        ports.uses.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports
            .signer
            .expect_sign()
            .withf(|grant| {
                grant.kind == FlowKind::OAuthFlow
                    && grant.subject == "qq"
                    && grant.target.as_deref() == Some("/goods/1.html?sku=2#top")
                    && grant.ttl.as_secs() == 600
            })
            .times(1)
            .returning(|_| Ok("flow".into()));
        ports
            .provider
            .expect_authorize_url()
            .withf(|state| state == "/goods/1.html?sku=2")
            .returning(|state| format!("https://graph.qq.com/oauth2.0/authorize?state={state}"));
        let departure = ports.use_case().execute("ticket").await.unwrap();
        assert_eq!(departure.flow, "flow");
        assert_eq!(departure.flow_ttl.as_secs(), 600);
        assert_eq!(departure.authorize_url, "https://graph.qq.com/oauth2.0/authorize?state=/goods/1.html?sku=2");
    }

    #[tokio::test]
    async fn a_forged_spent_or_other_provider_s_ticket_opens_nothing() {
        let refused = AppError::field(Field::State, Problem::StateInvalid);
        let mut forged = Ports::new();
        forged.signer.expect_verify().returning(|_, _| Err(TokenError::Invalid));
        assert_eq!(forged.use_case().execute("forged").await, Err(refused.clone()));

        let mut other = Ports::new();
        other.signer.expect_verify().returning(|_, _| Ok(claims(FlowKind::OAuthStart, "wechat_web", Some("/"), 0)));
        assert_eq!(other.use_case().execute("wechat-ticket").await, Err(refused.clone()));

        let mut spent = Ports::new();
        spent.signer.expect_verify().returning(|_, _| Ok(claims(FlowKind::OAuthStart, "qq", Some("/"), 0)));
        spent.uses.expect_acquire().returning(|_| Ok(RateDecision::Limited { retry_after: Duration::from_secs(300) }));
        assert_eq!(spent.use_case().execute("spent").await, Err(refused));
    }
}
