use application::ports::{ProviderError, QqClient, QqIdentity};
use async_trait::async_trait;
use reqwest::{Client, Url};

use super::qq_answer::{self, AccessToken, Me};
use super::qq_settings::QqSettings;
use super::qq_setup_error::QqSetupError;
use crate::provider_http::{is_http_url, masked, provider_client, transport_failure_reason, with_query};

/// QQ's "the app has no unionid permission" on `me` with `unionid=1`.
const NO_UNIONID_PERMISSION: i64 = 100_048;
/// QQ's "invalid access token"; also what a token issued to another app is, for this one.
const INVALID_TOKEN: i64 = 100_013;

/// Logs people in with QQ Connect: builds the authorize URL, then trades the callback's
/// code for an access token (`/oauth2.0/token`) and asks whose it is (`/oauth2.0/me`).
#[derive(Debug)]
pub struct QqConnectClient {
    settings: QqSettings,
    client: Client,
    /// The three endpoints under `api_base`, without their queries.
    authorize: Url,
    token: Url,
    me: Url,
}

impl QqConnectClient {
    pub fn new(settings: QqSettings) -> Result<Self, QqSetupError> {
        for (name, value) in [
            ("client_id", &settings.client_id),
            ("client_secret", &settings.client_secret),
            ("redirect_uri", &settings.redirect_uri),
        ] {
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
        Ok(Self { settings, client, authorize, token, me })
    }

    /// Trades the code for an access token.
    async fn exchange(&self, code: &str) -> Result<AccessToken, ProviderError> {
        let url = with_query(
            &self.token,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &self.settings.client_id),
                ("client_secret", &self.settings.client_secret),
                ("code", code),
                ("redirect_uri", &self.settings.redirect_uri),
                ("fmt", "json"),
            ],
        );
        let body = self.get(Step::Token, url).await;
        let token =
            body.and_then(|body| qq_answer::token(&body)).inspect_err(|error| log_failure(Step::Token, error))?;
        tracing::debug!(expires_in = token.expires_in, "qq connect: access token granted");
        Ok(token)
    }

    /// Asks whose the token is, with the unionid when `unionid` is set.
    async fn me(&self, token: &AccessToken, unionid: bool) -> Result<Me, ProviderError> {
        let mut query = vec![("access_token", token.token.as_str())];
        if unionid {
            query.push(("unionid", "1"));
        }
        query.push(("fmt", "json"));
        let body = self.get(Step::Me, with_query(&self.me, &query)).await?;
        qq_answer::me(&body)
    }

    /// One GET; anything but a readable HTTP 200 is an outage, since QQ answers even its
    /// refusals with 200.
    async fn get(&self, step: Step, url: Url) -> Result<String, ProviderError> {
        let failed = |error| transport_failure(step, error);
        let response = self.client.get(url).send().await.map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(ProviderError::Unavailable(format!("qq connect: {} answered HTTP {status}", step.name())));
        }
        response.text().await.map_err(failed)
    }
}

#[async_trait]
impl QqClient for QqConnectClient {
    fn app_id(&self) -> String {
        self.settings.client_id.clone()
    }

    fn authorize_url(&self, state: &str) -> String {
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", self.settings.client_id.as_str()),
            ("redirect_uri", self.settings.redirect_uri.as_str()),
            ("state", state),
            ("scope", "get_user_info"),
        ];
        if self.settings.mobile_display {
            query.push(("display", "mobile"));
        }
        with_query(&self.authorize, &query).into()
    }

    /// A `me` answer naming another app's client_id is refused as QQ's 100013 (invalid
    /// token): such a token says nothing about who logged in to this app.
    async fn identify(&self, code: &str) -> Result<QqIdentity, ProviderError> {
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
        Ok(QqIdentity { openid: me.openid, unionid: me.unionid })
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

/// No answer at all.
fn transport_failure(step: Step, error: reqwest::Error) -> ProviderError {
    ProviderError::Unavailable(format!("qq connect: {}: {}", step.name(), transport_failure_reason(error)))
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
    }
}
