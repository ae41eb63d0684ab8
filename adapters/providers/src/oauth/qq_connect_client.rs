use std::fmt;

use application::ports::{OAuthProvider, ProviderError, ProviderIdentity, WebLoginProvider};
use async_trait::async_trait;
use oauth2::{AuthorizationCode, CsrfToken, Scope, TokenResponse};
use reqwest::Url;
use secrecy::ExposeSecret;

use super::qq_answer::{self, Me};
use super::qq_failure;
use super::qq_settings::QqSettings;
use super::qq_setup_error::QqSetupError;
use super::qq_token_dialect::{QqTokenDialect, get};
use super::token_exchange::{ProviderOAuthClient, exchange_failure, oauth_client};
use crate::provider_http::{is_http_url, masked, provider_client, with_query};

/// QQ's "the app has no unionid permission" on `me` with `unionid=1`.
const NO_UNIONID_PERMISSION: i64 = 100_048;
/// QQ's "invalid access token"; also what a token issued to another app is, for this one.
const INVALID_TOKEN: i64 = 100_013;

/// Logs people in with QQ Connect: the `oauth2` client builds the authorize URL and trades
/// the callback's code for an access token (`/oauth2.0/token`, through [`QqTokenDialect`]),
/// then `/oauth2.0/me` says whose it is.
pub struct QqConnectClient {
    settings: QqSettings,
    oauth: ProviderOAuthClient,
    dialect: QqTokenDialect,
    me: Url,
}

impl QqConnectClient {
    pub fn new(settings: QqSettings) -> Result<Self, QqSetupError> {
        let required: [(&'static str, &str); 3] = [
            ("client_id", &settings.client_id),
            ("client_secret", settings.client_secret.expose_secret()),
            ("redirect_uri", &settings.redirect_uri),
        ];
        for (name, value) in required {
            if value.trim().is_empty() {
                return Err(QqSetupError::Missing(name));
            }
        }
        if !is_http_url(&settings.redirect_uri) {
            return Err(QqSetupError::RedirectUri(settings.redirect_uri.clone()));
        }
        if !is_http_url(&settings.api_base) {
            return Err(QqSetupError::ApiBase(settings.api_base.clone()));
        }
        let base = settings.api_base.trim_end_matches('/');
        let endpoint = |name: &str| {
            Url::parse(&format!("{base}/oauth2.0/{name}")).map_err(|_| QqSetupError::ApiBase(settings.api_base.clone()))
        };
        let (authorize, token, me) = (endpoint("authorize")?, endpoint("token")?, endpoint("me")?);
        let client = provider_client(settings.timeout).build().map_err(|e| QqSetupError::Client(e.to_string()))?;
        let oauth =
            oauth_client(&settings.client_id, &settings.client_secret, &authorize, &token, &settings.redirect_uri)
                .map_err(|_| QqSetupError::RedirectUri(settings.redirect_uri.clone()))?;
        Ok(Self { settings, oauth, dialect: QqTokenDialect { client, token }, me })
    }

    /// Trades the code for an access token, with `oauth2` speaking QQ's dialect.
    async fn exchange(&self, code: &str) -> Result<String, ProviderError> {
        let token = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.dialect)
            .await
            .map_err(exchange_failure)
            .inspect_err(|error| log_failure(Step::Token, error))?;
        tracing::debug!(expires_in = token.expires_in().map(|d| d.as_secs()), "qq connect: access token granted");
        Ok(token.access_token().secret().clone())
    }

    /// Asks whose the token is, with the unionid when `unionid` is set.
    async fn me(&self, token: &str, unionid: bool) -> Result<Me, ProviderError> {
        let mut query = vec![("access_token", token)];
        if unionid {
            query.push(("unionid", "1"));
        }
        query.push(("fmt", "json"));
        let body = get(&self.dialect.client, Step::Me.name(), with_query(&self.me, &query)).await?;
        qq_answer::me(&body)
    }

    async fn identify_raw(&self, code: &str) -> Result<ProviderIdentity, ProviderError> {
        let token = self.exchange(code).await?;
        let me = match self.me(&token, true).await {
            // Without the unionid permission QQ refuses the whole call, not just the unionid.
            Err(ProviderError::Refused { code: NO_UNIONID_PERMISSION, .. }) => {
                tracing::info!(
                    step = Step::Me.name(),
                    qq_code = NO_UNIONID_PERMISSION,
                    "qq connect: no unionid permission; asking again without unionid"
                );
                self.me(&token, false).await.map(|me| Me { unionid: None, ..me })
            }
            other => other,
        }
        .inspect_err(|error| log_failure(Step::Me, error))?;
        if let Some(client_id) = me.client_id.as_deref().filter(|id| *id != self.settings.client_id) {
            tracing::warn!(
                step = Step::Me.name(),
                token_client_id = client_id,
                "qq connect: the access token belongs to another app"
            );
            return Err(ProviderError::Refused {
                code: INVALID_TOKEN,
                message: format!("the access token was issued to app {client_id}, not to this one"),
            });
        }
        tracing::info!(openid = masked(&me.openid), unionid = me.unionid.is_some(), "qq connect: identified");
        Ok(ProviderIdentity { openid: me.openid, unionid: me.unionid })
    }
}

impl fmt::Debug for QqConnectClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The settings hide the app key; the oauth2 client holding it too is left out.
        f.debug_struct("QqConnectClient").field("settings", &self.settings).finish_non_exhaustive()
    }
}

#[async_trait]
impl WebLoginProvider for QqConnectClient {
    fn provider(&self) -> OAuthProvider {
        OAuthProvider::Qq
    }

    fn app_id(&self) -> String {
        self.settings.client_id.clone()
    }

    fn authorize_url(&self, state: &str) -> String {
        let mut request = self
            .oauth
            .authorize_url(|| CsrfToken::new(state.to_owned()))
            .add_scope(Scope::new("get_user_info".to_owned()));
        if self.settings.mobile_display {
            request = request.add_extra_param("display", "mobile");
        }
        request.url().0.into()
    }

    /// A `me` answer naming another app's client_id is refused as QQ's 100013 (invalid
    /// token): such a token says nothing about who logged in to this app. QQ's codes are
    /// read here, once: the caller sees provider-neutral failures.
    async fn identify(&self, code: &str) -> Result<ProviderIdentity, ProviderError> {
        self.identify_raw(code).await.map_err(qq_failure::classified)
    }
}

/// The two calls of a login, as named in logs and errors.
#[derive(Debug, Clone, Copy)]
enum Step {
    Token,
    Me,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Me => "me",
        }
    }
}

/// The step and QQ's code; never the code, token, key or openid (the errors carry none).
fn log_failure(step: Step, error: &ProviderError) {
    match error {
        ProviderError::Refused { code, message } => {
            tracing::warn!(step = step.name(), qq_code = code, qq_message = message, "qq connect: refused");
        }
        ProviderError::Unavailable(reason) => {
            tracing::warn!(step = step.name(), reason, "qq connect: unavailable");
        }
        // The neutral kinds are made from refusals only after logging, at the trait boundary.
        other => tracing::warn!(step = step.name(), failure = %other, "qq connect: failed"),
    }
}
