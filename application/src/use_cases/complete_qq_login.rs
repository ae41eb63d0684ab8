use std::net::IpAddr;
use std::sync::Arc;

use domain::{LocalPath, User};

use crate::ports::{
    AuditEntry, AuditEvent, AuditLog, Clock, FlowGrant, FlowKind, IdentityKey, OAuthIdentityRepository, OAuthProvider,
    ProviderError, QqClient, QqIdentity, UserRepository,
};
use crate::{AppError, AuthFailure, Field, FlowTokens, OAuthPolicy, Problem, Session, SessionIssuer};

pub struct CompleteQqLoginRequest {
    pub code: String,
    /// Absent when the classic callback page sends only `code`.
    pub state: Option<String>,
    pub client_ip: IpAddr,
}

/// The callback's outcome; both carry where the client should go next.
#[derive(Debug)]
pub enum QqLoginOutcome {
    /// The identity is bound: the person is logged in.
    LoggedIn { user: Box<User>, session: Session, next: LocalPath },
    /// First QQ login: a single-use bind token (600 s) for `POST /oauth/qq/user/`.
    BindRequired { access_token: String, next: LocalPath },
}

/// `GET /oauth/qq/user/?code=&state=`: checks the `state` this service issued,
/// asks QQ who the code belongs to, and logs a bound identity in.
pub struct CompleteQqLogin {
    qq: Arc<dyn QqClient>,
    identities: Arc<dyn OAuthIdentityRepository>,
    users: Arc<dyn UserRepository>,
    tokens: Arc<FlowTokens>,
    sessions: Arc<SessionIssuer>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    policy: OAuthPolicy,
}

/// QQ's own refusals of the code (expired, never issued, already used) are the
/// client's to retry with a new login; every other QQ failure is QQ's.
pub(crate) fn qq_failure(error: ProviderError) -> AppError {
    match error {
        ProviderError::Refused { code: 100019 | 100020, .. } => {
            AppError::field(Field::NonField, Problem::OAuthCodeInvalid)
        }
        ProviderError::Refused { code, .. } => AppError::Upstream { provider: "qq", code: Some(code) },
        ProviderError::Unavailable(_) => AppError::Upstream { provider: "qq", code: None },
    }
}

impl CompleteQqLogin {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        qq: Arc<dyn QqClient>,
        identities: Arc<dyn OAuthIdentityRepository>,
        users: Arc<dyn UserRepository>,
        tokens: Arc<FlowTokens>,
        sessions: Arc<SessionIssuer>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
        policy: OAuthPolicy,
    ) -> Self {
        Self { qq, identities, users, tokens, sessions, audit, clock, policy }
    }

    pub async fn execute(&self, request: CompleteQqLoginRequest) -> Result<QqLoginOutcome, AppError> {
        if request.code.trim().is_empty() {
            return Err(AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
        }
        let next = self.check_state(request.state.as_deref()).await?;
        let identity: QqIdentity = self.qq.identify(request.code.trim()).await.map_err(qq_failure)?;
        let key =
            IdentityKey { provider: OAuthProvider::Qq, app_id: self.qq.app_id(), openid: identity.openid.clone() };
        let Some(bound) = self.identities.find(&key).await? else {
            let access_token = self.tokens.issue(&FlowGrant {
                kind: FlowKind::QqBind,
                subject: identity.openid,
                target: identity.unionid,
                version: 0,
                ttl: self.policy.bind_ttl,
            })?;
            return Ok(QqLoginOutcome::BindRequired { access_token, next });
        };
        let user =
            self.users.find_by_id(bound.user_id).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        let now = self.clock.now();
        self.users.record_login(user.id, now).await?;
        let entry =
            AuditEntry { user_id: Some(user.id), event: AuditEvent::LoginSucceeded, ip: request.client_ip, at: now };
        self.audit.record(entry).await?;
        let session = self.sessions.start(&user).await?;
        Ok(QqLoginOutcome::LoggedIn { user: Box::new(user), session, next })
    }

    /// The `next` carried by a valid state (spent now); `/` for a callback
    /// without one when that is allowed.
    async fn check_state(&self, state: Option<&str>) -> Result<LocalPath, AppError> {
        let state = state.map(str::trim).filter(|state| !state.is_empty());
        let Some(state) = state else {
            return if self.policy.allow_missing_state {
                Ok(LocalPath::root())
            } else {
                Err(AppError::field(Field::State, Problem::StateInvalid))
            };
        };
        let claims = self
            .tokens
            .redeem(state, FlowKind::OAuthState, self.clock.now(), Field::State, Problem::StateInvalid)
            .await?;
        if claims.subject != "qq" {
            return Err(AppError::field(Field::State, Problem::StateInvalid));
        }
        Ok(LocalPath::parse_or_root(claims.target.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::SessionPolicy;
    use crate::flow_tokens::tests::claims;
    use crate::ports::{
        BoundIdentity, FlowClaims, IssuedToken, MockAuditLog, MockClock, MockFlowTokenSigner,
        MockOAuthIdentityRepository, MockQqClient, MockRateLimiter, MockRefreshTokenStore, MockTokenIssuer,
        MockUserRepository, RateDecision, TokenError,
    };
    use crate::use_cases::log_in::tests::stored_user;

    #[derive(Default)]
    struct Ports {
        qq: MockQqClient,
        identities: MockOAuthIdentityRepository,
        users: MockUserRepository,
        signer: MockFlowTokenSigner,
        uses: MockRateLimiter,
        audit: MockAuditLog,
        policy: OAuthPolicy,
    }

    impl Ports {
        fn state(mut self, answer: Result<FlowClaims, TokenError>) -> Self {
            self.signer
                .expect_verify()
                .withf(|_, kind| *kind == FlowKind::OAuthState)
                .returning(move |_, _| answer.clone());
            self.uses.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
            self
        }

        fn qq_answers(mut self, answer: Result<QqIdentity, ProviderError>) -> Self {
            self.qq.expect_app_id().returning(|| "101474184".into());
            self.qq.expect_identify().withf(|code| code == "qq-code").times(1).returning(move |_| answer.clone());
            self
        }

        fn use_case(self) -> CompleteQqLogin {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            let mut tokens = MockTokenIssuer::new();
            tokens.expect_issue().returning(|_| Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400 }));
            let mut refresh = MockRefreshTokenStore::new();
            refresh.expect_create().returning(|_, _| Ok("refresh".into()));
            CompleteQqLogin::new(
                Arc::new(self.qq),
                Arc::new(self.identities),
                Arc::new(self.users),
                Arc::new(FlowTokens::new(Arc::new(self.signer), Arc::new(self.uses))),
                Arc::new(SessionIssuer::new(Arc::new(tokens), Arc::new(refresh), SessionPolicy::default())),
                Arc::new(self.audit),
                Arc::new(clock),
                self.policy,
            )
        }
    }

    fn request(state: Option<&str>) -> CompleteQqLoginRequest {
        CompleteQqLoginRequest {
            code: "qq-code".into(),
            state: state.map(str::to_owned),
            client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
        }
    }

    fn state_for(next: &str) -> Result<FlowClaims, TokenError> {
        Ok(claims(FlowKind::OAuthState, "qq", Some(next), 0))
    }

    fn identity() -> Result<QqIdentity, ProviderError> {
        Ok(QqIdentity { openid: "OPENID".into(), unionid: Some("UNIONID".into()) })
    }

    #[tokio::test]
    async fn a_bound_identity_logs_in_and_goes_next() {
        let mut ports = Ports::default().state(state_for("/cart.html")).qq_answers(identity());
        ports
            .identities
            .expect_find()
            .withf(|key| key.provider == OAuthProvider::Qq && key.app_id == "101474184" && key.openid == "OPENID")
            .returning(|key| {
                Ok(Some(BoundIdentity { key: key.clone(), unionid: None, user_id: UserId(1), bound_at: Utc::now() }))
            });
        ports.users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        ports.users.expect_record_login().times(1).returning(|_, _| Ok(()));
        ports.audit.expect_record().withf(|e| e.event == AuditEvent::LoginSucceeded).times(1).returning(|_| Ok(()));
        let QqLoginOutcome::LoggedIn { user, session, next } =
            ports.use_case().execute(request(Some("s"))).await.unwrap()
        else {
            panic!("expected a login")
        };
        assert_eq!((user.id, session.access.token.as_str(), next.as_str()), (UserId(1), "jwt", "/cart.html"));
    }

    #[tokio::test]
    async fn an_unbound_identity_gets_a_bind_token_with_its_openid_and_unionid() {
        let mut ports = Ports::default().state(state_for("/")).qq_answers(identity());
        ports.identities.expect_find().returning(|_| Ok(None));
        ports
            .signer
            .expect_sign()
            .withf(|grant| {
                grant.kind == FlowKind::QqBind
                    && grant.subject == "OPENID"
                    && grant.target.as_deref() == Some("UNIONID")
                    && grant.ttl.as_secs() == 600
            })
            .returning(|_| Ok("bind-token".into()));
        let outcome = ports.use_case().execute(request(Some("s"))).await.unwrap();
        assert!(
            matches!(outcome, QqLoginOutcome::BindRequired { ref access_token, .. } if access_token == "bind-token")
        );
    }

    #[tokio::test]
    async fn a_missing_state_is_refused_unless_allowed() {
        let got = Ports::default().use_case().execute(request(None)).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::State, Problem::StateInvalid));

        let mut ports =
            Ports { policy: OAuthPolicy { allow_missing_state: true, ..OAuthPolicy::default() }, ..Ports::default() }
                .qq_answers(identity());
        ports.identities.expect_find().returning(|_| Ok(None));
        ports.signer.expect_sign().returning(|_| Ok("bind-token".into()));
        let outcome = ports.use_case().execute(request(None)).await.unwrap();
        assert!(matches!(outcome, QqLoginOutcome::BindRequired { ref next, .. } if next.as_str() == "/"));
    }

    #[tokio::test]
    async fn a_forged_expired_or_reused_state_is_refused_before_qq_is_asked() {
        let got = Ports::default().state(Err(TokenError::Invalid)).use_case().execute(request(Some("forged"))).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::State, Problem::StateInvalid));

        let mut reused = Ports::default();
        reused.signer.expect_verify().returning(|_, _| state_for("/"));
        reused
            .uses
            .expect_acquire()
            .returning(|_| Ok(RateDecision::Limited { retry_after: std::time::Duration::from_secs(5) }));
        let got = reused.use_case().execute(request(Some("used"))).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::State, Problem::StateInvalid));
    }

    #[tokio::test]
    async fn qq_refusing_the_code_is_a_400_and_other_qq_failures_are_502() {
        let cases = [
            (
                ProviderError::Refused { code: 100019, message: "code to access token error".into() },
                AppError::field(Field::NonField, Problem::OAuthCodeInvalid),
            ),
            (
                ProviderError::Refused { code: 100020, message: "code reused".into() },
                AppError::field(Field::NonField, Problem::OAuthCodeInvalid),
            ),
            (
                ProviderError::Refused { code: 100010, message: "redirect uri is illegal".into() },
                AppError::Upstream { provider: "qq", code: Some(100010) },
            ),
            (
                ProviderError::Refused { code: 100016, message: "access token check failed".into() },
                AppError::Upstream { provider: "qq", code: Some(100016) },
            ),
            (ProviderError::Unavailable("timeout".into()), AppError::Upstream { provider: "qq", code: None }),
        ];
        for (failure, expected) in cases {
            let got = Ports::default()
                .state(state_for("/"))
                .qq_answers(Err(failure))
                .use_case()
                .execute(request(Some("s")))
                .await;
            assert_eq!(got.unwrap_err(), expected);
        }
    }

    #[tokio::test]
    async fn an_empty_code_is_refused_before_anything_else() {
        let got = Ports::default()
            .use_case()
            .execute(CompleteQqLoginRequest { code: " ".into(), ..request(Some("s")) })
            .await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
    }
}
