use std::sync::Arc;

use domain::{LocalPath, User};

use crate::ports::WebLoginProvider;
use crate::ports::{
    AuditEvent, Clock, FlowGrant, FlowKind, IdentityKey, NewIdentity, OAuthIdentityRepository, SignInOrigin,
    UserRepository,
};
use crate::services::provider_failure::provider_failure;
use crate::services::unionid_join::join_by_unionid;
use crate::web_login::bind_subject;
use crate::{AccountStores, AppError, AuthFailure, Field, FlowTokens, LoginRecorder, OAuthPolicy, Problem, Session};

pub struct CompleteOAuthLoginRequest {
    pub code: String,
    /// The flow the hop set in the browser's cookie; absent from any other browser.
    pub flow: Option<String>,
    /// Absent when the classic callback page sends only `code`; when present it must
    /// name the flow's `next`.
    pub state: Option<String>,
    pub origin: SignInOrigin,
}

/// The callback's outcome; both carry where the client should go next.
#[derive(Debug)]
pub enum OAuthLoginOutcome {
    /// The identity is bound (or joined its unionid's account): the person is logged in.
    /// `restored`: the account was scheduled for deletion and this sign-in cancelled that.
    LoggedIn { user: Box<User>, session: Session, next: LocalPath, restored: bool },
    /// A first login: a single-use bind token (600 s) for the provider's bind form.
    BindRequired { access_token: String, next: LocalPath },
}

/// `GET /oauth/{qq,wechat}/user/?code=&state=`: checks and spends the flow
/// the hop set in this browser's cookie for this provider (a callback from
/// any other browser has none and is refused), asks the provider who the code
/// belongs to, and logs a bound identity in. An unbound identity whose unionid the
/// provider's other apps already know joins that account; any other gets a
/// bind token.
pub struct CompleteOAuthLogin {
    provider: Arc<dyn WebLoginProvider>,
    identities: Arc<dyn OAuthIdentityRepository>,
    users: Arc<dyn UserRepository>,
    tokens: Arc<FlowTokens>,
    logins: Arc<LoginRecorder>,
    clock: Arc<dyn Clock>,
    policy: OAuthPolicy,
}

impl CompleteOAuthLogin {
    pub fn new(
        provider: Arc<dyn WebLoginProvider>,
        accounts: AccountStores,
        tokens: Arc<FlowTokens>,
        logins: Arc<LoginRecorder>,
        clock: Arc<dyn Clock>,
        policy: OAuthPolicy,
    ) -> Self {
        let AccountStores { users, identities } = accounts;
        Self { provider, identities, users, tokens, logins, clock, policy }
    }

    pub async fn execute(&self, request: CompleteOAuthLoginRequest) -> Result<OAuthLoginOutcome, AppError> {
        if request.code.trim().is_empty() {
            return Err(AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
        }
        let next = self.spend_flow(request.flow.as_deref(), request.state.as_deref()).await?;
        let provider = self.provider.provider();
        let found =
            self.provider.identify(request.code.trim()).await.map_err(|e| provider_failure(provider.company(), e))?;
        let identity = NewIdentity {
            key: IdentityKey { provider, app_id: self.provider.app_id(), openid: found.openid },
            unionid: found.unionid,
        };
        let now = self.clock.now();
        let user_id = match self.identities.find(&identity.key).await? {
            Some(bound) => bound.user_id,
            None => match join_by_unionid(self.identities.as_ref(), &identity, now).await? {
                Some(user_id) => user_id,
                None => {
                    let access_token = self.tokens.issue(&FlowGrant {
                        kind: FlowKind::OAuthBind,
                        subject: bind_subject(provider, &identity.key.openid),
                        target: identity.unionid,
                        version: 0,
                        ttl: self.policy.bind_ttl,
                    })?;
                    return Ok(OAuthLoginOutcome::BindRequired { access_token, next });
                }
            },
        };
        let user = self.users.find_by_id(user_id).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        let logged_in = self.logins.record(user, AuditEvent::LoginSucceeded, provider.into(), &request.origin).await?;
        Ok(OAuthLoginOutcome::LoggedIn {
            user: Box::new(logged_in.user),
            session: logged_in.session,
            next,
            restored: logged_in.restored,
        })
    }

    /// The `next` of this browser's flow, spent now. A `state` the client sent must name
    /// it; both are checked before the flow is spent.
    async fn spend_flow(&self, flow: Option<&str>, state: Option<&str>) -> Result<LocalPath, AppError> {
        let refused = || AppError::field(Field::State, Problem::StateInvalid);
        let flow = flow.map(str::trim).filter(|flow| !flow.is_empty()).ok_or_else(refused)?;
        let claims = self.tokens.inspect(flow, FlowKind::OAuthFlow, Field::State, Problem::StateInvalid)?;
        if claims.subject != self.provider.provider().as_str() {
            return Err(refused());
        }
        let next = LocalPath::parse_or_root(claims.target.as_deref());
        if let Some(state) = state.filter(|state| !state.trim().is_empty())
            && !next.is_named_by(state)
        {
            return Err(refused());
        }
        self.tokens.redeem(flow, FlowKind::OAuthFlow, self.clock.now(), Field::State, Problem::StateInvalid).await?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::ports::{
        BoundIdentity, FlowClaims, MockClock, MockFlowTokenSigner, MockLoginStore, MockOAuthIdentityRepository,
        MockRateLimiter, MockUserRepository, OAuthProvider, RateDecision, TokenError,
    };
    use crate::ports::{MockWebLoginProvider, ProviderError, ProviderIdentity};
    use crate::services::flow_tokens::tests::claims;
    use crate::services::login_recorder::tests::recorder;
    use crate::use_cases::log_in::tests::stored_user;

    struct Ports {
        provider: MockWebLoginProvider,
        identities: MockOAuthIdentityRepository,
        users: MockUserRepository,
        signer: MockFlowTokenSigner,
        uses: MockRateLimiter,
        logins: MockLoginStore,
        policy: OAuthPolicy,
    }

    impl Ports {
        fn new(provider: OAuthProvider) -> Self {
            let mut mock = MockWebLoginProvider::new();
            mock.expect_provider().return_const(provider);
            mock.expect_app_id().returning(|| "app-1".into());
            Self {
                provider: mock,
                identities: MockOAuthIdentityRepository::new(),
                users: MockUserRepository::new(),
                signer: MockFlowTokenSigner::new(),
                uses: MockRateLimiter::new(),
                logins: MockLoginStore::new(),
                policy: OAuthPolicy::default(),
            }
        }

        fn flow(mut self, answer: Result<FlowClaims, TokenError>) -> Self {
            self.signer
                .expect_verify()
                .withf(|_, kind| *kind == FlowKind::OAuthFlow)
                .returning(move |_, _| answer.clone());
            self.uses.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
            self
        }

        fn identifies(mut self, answer: Result<ProviderIdentity, ProviderError>) -> Self {
            self.provider
                .expect_identify()
                .withf(|code| code == "the-code")
                .times(1)
                .returning(move |_| answer.clone());
            self
        }

        fn logging_in(mut self, user: i64) -> Self {
            self.users
                .expect_find_by_id()
                .withf(move |id| *id == UserId(user))
                .returning(move |_| Ok(Some(User { id: UserId(user), ..stored_user() })));
            self.logins
                .expect_record_login()
                .withf(|login| login.audit.event == AuditEvent::LoginSucceeded)
                .times(1)
                .returning(|_| {
                    Ok(Some(crate::ports::StoredLogin { refresh_token: "refresh".into(), restored: false }))
                });
            self
        }

        fn use_case(self) -> CompleteOAuthLogin {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            CompleteOAuthLogin::new(
                Arc::new(self.provider),
                AccountStores { users: Arc::new(self.users), identities: Arc::new(self.identities) },
                Arc::new(FlowTokens::new(Arc::new(self.signer), Arc::new(self.uses))),
                recorder(self.logins),
                Arc::new(clock),
                self.policy,
            )
        }
    }

    fn request(flow: Option<&str>) -> CompleteOAuthLoginRequest {
        CompleteOAuthLoginRequest {
            code: "the-code".into(),
            flow: flow.map(str::to_owned),
            state: None,
            origin: SignInOrigin::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)), "Chrome on Windows"),
        }
    }

    fn flow_for(provider: &str, next: &str) -> Result<FlowClaims, TokenError> {
        Ok(claims(FlowKind::OAuthFlow, provider, Some(next), 0))
    }

    fn identity(unionid: Option<&str>) -> Result<ProviderIdentity, ProviderError> {
        Ok(ProviderIdentity { openid: "OPENID".into(), unionid: unionid.map(str::to_owned) })
    }

    fn bound_to(user: i64) -> impl Fn(&IdentityKey) -> Result<Option<BoundIdentity>, crate::ports::RepoError> {
        move |key| {
            Ok(Some(BoundIdentity { key: key.clone(), unionid: None, user_id: UserId(user), bound_at: Utc::now() }))
        }
    }

    #[tokio::test]
    async fn a_bound_identity_logs_in_and_goes_next() {
        let mut ports =
            Ports::new(OAuthProvider::Qq).flow(flow_for("qq", "/cart.html")).identifies(identity(None)).logging_in(1);
        ports
            .identities
            .expect_find()
            .withf(|key| key.provider == OAuthProvider::Qq && key.app_id == "app-1" && key.openid == "OPENID")
            .returning(bound_to(1));
        let OAuthLoginOutcome::LoggedIn { user, session, next, .. } =
            ports.use_case().execute(request(Some("s"))).await.unwrap()
        else {
            panic!("expected a login")
        };
        assert_eq!((user.id, session.access.token.as_str(), next.as_str()), (UserId(1), "jwt", "/cart.html"));
    }

    #[tokio::test]
    async fn an_unbound_identity_with_an_unknown_unionid_gets_a_bind_token_naming_provider_openid_and_unionid() {
        let mut ports = Ports::new(OAuthProvider::Qq).flow(flow_for("qq", "/")).identifies(identity(Some("UNIONID")));
        ports.identities.expect_find().returning(|_| Ok(None));
        ports
            .identities
            .expect_find_by_unionid()
            .withf(|family, unionid| family == [OAuthProvider::Qq] && unionid == "UNIONID")
            .returning(|_, _| Ok(None));
        ports
            .signer
            .expect_sign()
            .withf(|grant| {
                grant.kind == FlowKind::OAuthBind
                    && grant.subject == "qq:OPENID"
                    && grant.target.as_deref() == Some("UNIONID")
                    && grant.ttl.as_secs() == 600
            })
            .returning(|_| Ok("bind-token".into()));
        let outcome = ports.use_case().execute(request(Some("s"))).await.unwrap();
        assert!(
            matches!(outcome, OAuthLoginOutcome::BindRequired { ref access_token, .. } if access_token == "bind-token")
        );
    }

    #[tokio::test]
    async fn a_website_identity_whose_unionid_the_mini_program_knows_joins_that_account() {
        let mut ports = Ports::new(OAuthProvider::WechatWeb)
            .flow(flow_for("wechat_web", "/"))
            .identifies(identity(Some("UNION")))
            .logging_in(7);
        ports.identities.expect_find().returning(|_| Ok(None));
        ports
            .identities
            .expect_find_by_unionid()
            .withf(|family, unionid| {
                family == [OAuthProvider::WechatMiniProgram, OAuthProvider::WechatWeb] && unionid == "UNION"
            })
            .returning(|_, _| Ok(Some(UserId(7))));
        ports
            .identities
            .expect_bind()
            .withf(|identity, user, _| {
                identity.key.provider == OAuthProvider::WechatWeb
                    && identity.key.openid == "OPENID"
                    && identity.unionid.as_deref() == Some("UNION")
                    && *user == UserId(7)
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let outcome = ports.use_case().execute(request(Some("s"))).await.unwrap();
        assert!(matches!(outcome, OAuthLoginOutcome::LoggedIn { ref user, .. } if user.id == UserId(7)));
    }

    #[tokio::test]
    async fn a_callback_without_the_flow_cookie_is_refused_before_the_provider_is_asked() {
        for flow in [None, Some(""), Some("  ")] {
            let got = Ports::new(OAuthProvider::Qq).use_case().execute(request(flow)).await;
            assert_eq!(got.unwrap_err(), AppError::field(Field::State, Problem::StateInvalid), "{flow:?}");
        }
    }

    #[tokio::test]
    async fn a_state_the_client_sends_must_name_the_flow_s_next() {
        let mut ports = Ports::new(OAuthProvider::Qq).flow(flow_for("qq", "/search.html?q=%E6%89%8B")).logging_in(1);
        ports.identities.expect_find().returning(bound_to(1));
        ports.provider.expect_identify().times(1).returning(|_| identity(None));
        let classic = CompleteOAuthLoginRequest { state: Some("/search.html?q=手".into()), ..request(Some("f")) };
        let outcome = ports.use_case().execute(classic).await.unwrap();
        assert!(
            matches!(outcome, OAuthLoginOutcome::LoggedIn { ref next, .. } if next.as_str() == "/search.html?q=%E6%89%8B")
        );

        // Another page's state: refused, and the flow is not spent (no acquire expected).
        let mut other = Ports::new(OAuthProvider::Qq);
        other.signer.expect_verify().returning(|_, _| flow_for("qq", "/cart.html"));
        let got = other
            .use_case()
            .execute(CompleteOAuthLoginRequest { state: Some("/user_center_info.html".into()), ..request(Some("f")) })
            .await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::State, Problem::StateInvalid));
    }

    async fn failing_with(provider: OAuthProvider, failure: ProviderError) -> AppError {
        let name = if provider == OAuthProvider::Qq { "qq" } else { "wechat_web" };
        Ports::new(provider)
            .flow(flow_for(name, "/"))
            .identifies(Err(failure))
            .use_case()
            .execute(request(Some("s")))
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn a_rejected_code_is_a_400_and_other_qq_failures_are_502_with_qq_s_code() {
        let got = failing_with(OAuthProvider::Qq, ProviderError::CodeRejected).await;
        assert_eq!(got, AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
        let refused = ProviderError::Refused { code: 100010, message: "redirect uri is illegal".into() };
        let got = failing_with(OAuthProvider::Qq, refused).await;
        assert_eq!(got, AppError::Upstream { provider: "qq", code: Some(100010) });
        let got = failing_with(OAuthProvider::Qq, ProviderError::Unavailable("timeout".into())).await;
        assert_eq!(got, AppError::Upstream { provider: "qq", code: None });
    }

    #[tokio::test]
    async fn a_refused_code_is_a_400_and_wechat_down_a_502() {
        let got = failing_with(OAuthProvider::WechatWeb, ProviderError::CodeRejected).await;
        assert_eq!(got, AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
        let got = failing_with(OAuthProvider::WechatWeb, ProviderError::Unavailable("busy after retries".into())).await;
        assert_eq!(got, AppError::Upstream { provider: "wechat", code: None });
    }

    #[tokio::test]
    async fn an_empty_code_is_refused_before_anything_else() {
        let got = Ports::new(OAuthProvider::Qq)
            .use_case()
            .execute(CompleteOAuthLoginRequest { code: " ".into(), ..request(Some("s")) })
            .await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
    }
}
