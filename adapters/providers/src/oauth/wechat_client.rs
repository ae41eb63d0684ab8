use std::fmt;
use std::time::{Duration, Instant};

use application::ports::{MiniProgramSession, ProviderError, WeChatClient, WebIdentity};
use async_trait::async_trait;
use oauth2::{AuthorizationCode, CsrfToken, Scope, TokenResponse};
use reqwest::{Client, RequestBuilder, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio::sync::Mutex;

use super::token_exchange::{ProviderOAuthClient, exchange_failure, oauth_client};
use super::wechat_answer::{self, AppToken, Fields};
use super::wechat_failure;
use super::wechat_settings::WeChatSettings;
use super::wechat_setup_error::WeChatSetupError;
use super::wechat_token_dialect::qrconnect_url;
use crate::provider_http::{is_http_url, masked, provider_client, transport_failure_reason, with_query};

/// WeChat's "system busy, try again".
const BUSY: i64 = -1;
/// WeChat's ways of saying the app access token is no longer good: 40001 invalid (or
/// superseded by a newer one), 40014 malformed, 42001 expired.
const STALE_APP_TOKEN: [i64; 3] = [40001, 40014, 42001];
/// The app access token is fetched again this long before WeChat says it expires, so that
/// a call never carries one that dies on the way.
const APP_TOKEN_MARGIN: Duration = Duration::from_secs(300);
/// The longest app-token lifetime believed. WeChat grants 7200 s; a larger figure, mistaken or
/// hostile, would otherwise keep a token past its death or overflow the clock arithmetic.
const APP_TOKEN_MAX_LIFETIME: Duration = Duration::from_secs(7200);

/// WeChat: the mini-program login (`jscode2session`), the website QR login
/// (`qrconnect`, `sns/oauth2/access_token`, `sns/userinfo`) and the mini-program's phone
/// number (`getuserphonenumber` with the app access token from `cgi-bin/token`, cached here).
/// The QR login's authorize URL and code exchange run on the `oauth2` crate, through
/// its own dialect (`wechat_token_dialect`); the mini-program's calls are no OAuth and stay plain requests.
///
/// Every call answered `-1` (busy) is made again after a doubling wait, up to
/// `busy_retries` times, then counts as `Unavailable`.
pub struct WeChatApiClient {
    settings: WeChatSettings,
    client: Client,
    endpoints: Endpoints,
    /// The website app's OAuth client; `None` without a website app.
    web_oauth: Option<ProviderOAuthClient>,
    /// The mini-program's app access token. Held while a new one is fetched, so that calls
    /// arriving meanwhile wait for it rather than fetch their own: each fetch supersedes the last.
    app_token: Mutex<Option<CachedToken>>,
}

/// The endpoints, without their queries.
struct Endpoints {
    qrconnect: Url,
    jscode2session: Url,
    web_token: Url,
    userinfo: Url,
    app_token: Url,
    phone_number: Url,
}

struct CachedToken {
    token: String,
    /// When to fetch a new one: `APP_TOKEN_MARGIN` before it expires.
    refresh_at: Instant,
}

impl WeChatApiClient {
    pub fn new(settings: WeChatSettings) -> Result<Self, WeChatSetupError> {
        complete(&[("mp_app_id", &settings.mp_app_id), ("mp_secret", settings.mp_secret.expose_secret())])?;
        complete(&[
            ("web_app_id", &settings.web_app_id),
            ("web_secret", settings.web_secret.expose_secret()),
            ("web_redirect_uri", &settings.web_redirect_uri),
        ])?;
        if settings.has_website() && !is_http_url(&settings.web_redirect_uri) {
            return Err(WeChatSetupError::RedirectUri(settings.web_redirect_uri.clone()));
        }
        let endpoint = |name: &'static str, base: &str, path: &str| {
            let invalid = || WeChatSetupError::Base(name, base.to_owned());
            if !is_http_url(base) {
                return Err(invalid());
            }
            Url::parse(&format!("{}/{path}", base.trim_end_matches('/'))).map_err(|_| invalid())
        };
        let (api, open) = (settings.api_base.as_str(), settings.open_base.as_str());
        let endpoints = Endpoints {
            qrconnect: endpoint("open_base", open, "connect/qrconnect")?,
            jscode2session: endpoint("api_base", api, "sns/jscode2session")?,
            web_token: endpoint("api_base", api, "sns/oauth2/access_token")?,
            userinfo: endpoint("api_base", api, "sns/userinfo")?,
            app_token: endpoint("api_base", api, "cgi-bin/token")?,
            phone_number: endpoint("api_base", api, "wxa/business/getuserphonenumber")?,
        };
        let client = provider_client(settings.timeout).build().map_err(|e| WeChatSetupError::Client(e.to_string()))?;
        let web_oauth = if settings.has_website() {
            let oauth = oauth_client(
                &settings.web_app_id,
                &settings.web_secret,
                &endpoints.qrconnect,
                &endpoints.web_token,
                &settings.web_redirect_uri,
            )
            .map_err(|_| WeChatSetupError::RedirectUri(settings.web_redirect_uri.clone()))?;
            Some(oauth)
        } else {
            None
        };
        Ok(Self { settings, client, endpoints, web_oauth, app_token: Mutex::new(None) })
    }

    /// The mini-program's app id and secret.
    fn mini_program(&self) -> Result<(&str, &SecretString), ProviderError> {
        if !self.settings.has_mini_program() {
            return Err(ProviderError::Unavailable("wechat: the mini-program is not configured".to_owned()));
        }
        Ok((&self.settings.mp_app_id, &self.settings.mp_secret))
    }

    /// The website app's OAuth client.
    fn website(&self) -> Result<&ProviderOAuthClient, ProviderError> {
        self.web_oauth
            .as_ref()
            .ok_or_else(|| ProviderError::Unavailable("wechat: the website app is not configured".to_owned()))
    }

    /// The HTTP client every call goes through.
    pub(super) fn http(&self) -> &Client {
        &self.client
    }

    pub(super) fn web_token_endpoint(&self) -> &Url {
        &self.endpoints.web_token
    }

    /// The cached app access token, or a new one when there is none, it is due for
    /// refreshing, or it is `stale` (WeChat just turned it down).
    async fn app_token(&self, stale: Option<&str>) -> Result<String, ProviderError> {
        let mut cached = self.app_token.lock().await;
        if let Some(token) = cached.as_ref()
            && Some(token.token.as_str()) != stale
            && Instant::now() < token.refresh_at
        {
            return Ok(token.token.clone());
        }
        let (app_id, secret) = self.mini_program()?;
        let query = [("grant_type", "client_credential"), ("appid", app_id), ("secret", secret.expose_secret())];
        let url = with_query(&self.endpoints.app_token, &query);
        let AppToken { token, expires_in } = self
            .call(Step::AppToken, || self.client.get(url.clone()))
            .await
            .and_then(|f| wechat_answer::app_token(&f))?;
        // A lifetime shorter than the margin is used for this call only.
        let lifetime = Duration::from_secs(expires_in).min(APP_TOKEN_MAX_LIFETIME);
        let now = Instant::now();
        let refresh_at = now.checked_add(lifetime.saturating_sub(APP_TOKEN_MARGIN)).unwrap_or(now);
        tracing::debug!(expires_in, "wechat: app access token granted");
        *cached = Some(CachedToken { token: token.clone(), refresh_at });
        Ok(token)
    }

    async fn ask_phone_number(&self, token: &str, code: &str) -> Result<String, ProviderError> {
        let url = with_query(&self.endpoints.phone_number, &[("access_token", token)]);
        let body = json!({ "code": code });
        let fields = self.call(Step::PhoneNumber, || self.client.post(url.clone()).json(&body)).await?;
        wechat_answer::phone_number(&fields)
    }

    /// One call, made again while WeChat answers busy: the fields of its answer, or why
    /// there are none. `request` builds the request afresh for each attempt.
    pub(super) async fn call(&self, step: Step, request: impl Fn() -> RequestBuilder) -> Result<Fields, ProviderError> {
        let mut backoff = self.settings.busy_backoff;
        let mut attempt = 0;
        let answer = loop {
            attempt += 1;
            match self.send(step, request()).await.and_then(|body| wechat_answer::fields(&body)) {
                Err(ProviderError::Refused { code: BUSY, .. }) if attempt <= self.settings.busy_retries => {
                    tracing::info!(
                        step = step.name(),
                        attempt,
                        backoff_ms = backoff.as_millis(),
                        "wechat: system busy; trying again"
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
                Err(ProviderError::Refused { code: BUSY, message }) => {
                    break Err(ProviderError::Unavailable(format!(
                        "wechat: {}: still busy after {attempt} attempts ({message})",
                        step.name()
                    )));
                }
                other => break other,
            }
        };
        answer.inspect_err(|error| log_failure(step, error))
    }

    /// One request; anything but a readable HTTP 200 is an outage, since WeChat answers even
    /// its refusals with 200.
    async fn send(&self, step: Step, request: RequestBuilder) -> Result<String, ProviderError> {
        let failed = |error| transport_failure(step, error);
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(ProviderError::Unavailable(format!("wechat: {} answered HTTP {status}", step.name())));
        }
        response.text().await.map_err(failed)
    }
}

#[async_trait]
impl WeChatClient for WeChatApiClient {
    /// Empty when the mini-program is not configured.
    fn mini_program_app_id(&self) -> String {
        self.settings.mp_app_id.clone()
    }

    /// Empty when the website app is not configured.
    fn web_app_id(&self) -> String {
        self.settings.web_app_id.clone()
    }

    async fn code_to_session(&self, js_code: &str) -> Result<MiniProgramSession, ProviderError> {
        self.code_to_session_raw(js_code).await.map_err(wechat_failure::classified)
    }

    fn web_authorize_url(&self, state: &str) -> String {
        match &self.web_oauth {
            Some(oauth) => {
                let (url, _) = oauth
                    .authorize_url(|| CsrfToken::new(state.to_owned()))
                    .add_scope(Scope::new("snsapi_login".to_owned()))
                    .url();
                qrconnect_url(&url)
            }
            // WeChat turns the empty app id down on its page; the callback then answers "not configured".
            None => {
                tracing::warn!("wechat: a QR login URL was asked for, but the website app is not configured");
                let url = with_query(&self.endpoints.qrconnect, &[("appid", ""), ("state", state)]);
                qrconnect_url(&url)
            }
        }
    }

    async fn web_identify(&self, code: &str) -> Result<WebIdentity, ProviderError> {
        self.web_identify_raw(code).await.map_err(wechat_failure::classified)
    }

    async fn phone_number(&self, code: &str) -> Result<String, ProviderError> {
        self.phone_number_raw(code).await.map_err(wechat_failure::classified)
    }
}

/// The calls with WeChat's own errcodes still in their refusals; the trait's methods read them.
impl WeChatApiClient {
    async fn code_to_session_raw(&self, js_code: &str) -> Result<MiniProgramSession, ProviderError> {
        let (app_id, secret) = self.mini_program()?;
        let query = [
            ("appid", app_id),
            ("secret", secret.expose_secret()),
            ("js_code", js_code),
            ("grant_type", "authorization_code"),
        ];
        let url = with_query(&self.endpoints.jscode2session, &query);
        let fields = self.call(Step::CodeToSession, || self.client.get(url.clone())).await?;
        let session = wechat_answer::session(&fields).inspect_err(|e| log_failure(Step::CodeToSession, e))?;
        tracing::info!(
            openid = masked(&session.openid),
            unionid = session.unionid.is_some(),
            "wechat: mini-program user identified"
        );
        Ok(session)
    }

    /// A profile that cannot be read fails the whole login, though the token already named
    /// the person: a login is asked for again more easily than a half-filled account is mended.
    async fn web_identify_raw(&self, code: &str) -> Result<WebIdentity, ProviderError> {
        let granted = self
            .website()?
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(self)
            .await
            .map_err(exchange_failure)?;
        let token = WebToken {
            access_token: granted.access_token().secret().clone(),
            openid: granted
                .extra_fields()
                .openid
                .clone()
                .ok_or_else(|| ProviderError::Unavailable("wechat: a token answer without openid".to_owned()))?,
            unionid: granted.extra_fields().unionid.clone(),
        };

        let query = [("access_token", token.access_token.as_str()), ("openid", token.openid.as_str())];
        let url = with_query(&self.endpoints.userinfo, &query);
        let fields = self.call(Step::UserInfo, || self.client.get(url.clone())).await?;
        let profile = wechat_answer::profile(&fields)
            .and_then(|profile| {
                if profile.openid == token.openid {
                    Ok(profile)
                } else {
                    Err(ProviderError::Unavailable("wechat: userinfo answered for another openid".to_owned()))
                }
            })
            .inspect_err(|e| log_failure(Step::UserInfo, e))?;
        tracing::info!(
            openid = masked(&token.openid),
            unionid = profile.unionid.is_some() || token.unionid.is_some(),
            "wechat: website user identified"
        );
        Ok(WebIdentity {
            openid: token.openid,
            unionid: profile.unionid.or(token.unionid),
            nickname: profile.nickname,
            avatar: profile.avatar,
        })
    }

    /// A token WeChat turns down is fetched again once, at once, and the number asked for again.
    async fn phone_number_raw(&self, code: &str) -> Result<String, ProviderError> {
        self.mini_program()?;
        let token = self.app_token(None).await?;
        let number = match self.ask_phone_number(&token, code).await {
            Err(ProviderError::Refused { code: refused, .. }) if STALE_APP_TOKEN.contains(&refused) => {
                tracing::info!(wechat_code = refused, "wechat: app access token turned down; fetching a new one");
                let fresh = self.app_token(Some(&token)).await?;
                self.ask_phone_number(&fresh, code).await?
            }
            other => other?,
        };
        tracing::info!("wechat: phone number read");
        Ok(number)
    }
}

impl fmt::Debug for WeChatApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The settings hide their secrets; the cached token is left out altogether.
        f.debug_struct("WeChatApiClient").field("settings", &self.settings).finish_non_exhaustive()
    }
}

/// What the web token exchange gives the profile call.
struct WebToken {
    access_token: String,
    openid: String,
    unionid: Option<String>,
}

/// The calls, as named in logs and errors.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step {
    CodeToSession,
    WebToken,
    UserInfo,
    AppToken,
    PhoneNumber,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Self::CodeToSession => "jscode2session",
            Self::WebToken => "oauth2/access_token",
            Self::UserInfo => "userinfo",
            Self::AppToken => "cgi-bin/token",
            Self::PhoneNumber => "getuserphonenumber",
        }
    }
}

/// An app is either wholly given or not at all: all the fields empty, or none.
fn complete(fields: &[(&'static str, &str)]) -> Result<(), WeChatSetupError> {
    let given = |value: &str| !value.trim().is_empty();
    if fields.iter().any(|(_, value)| given(value))
        && let Some((name, _)) = fields.iter().find(|(_, value)| !given(value))
    {
        return Err(WeChatSetupError::Incomplete(name));
    }
    Ok(())
}

/// No answer at all.
fn transport_failure(step: Step, error: reqwest::Error) -> ProviderError {
    ProviderError::Unavailable(format!("wechat: {}: {}", step.name(), transport_failure_reason(error)))
}

/// The step and WeChat's code; never a secret, code, token, session_key or openid (the errors carry none).
fn log_failure(step: Step, error: &ProviderError) {
    match error {
        ProviderError::Refused { code, message } => {
            tracing::warn!(step = step.name(), wechat_code = code, wechat_message = message, "wechat: refused");
        }
        ProviderError::Unavailable(reason) => {
            tracing::warn!(step = step.name(), reason, "wechat: unavailable");
        }
        // The neutral kinds are made from refusals only after logging, at the trait boundary.
        other => tracing::warn!(step = step.name(), failure = %other, "wechat: failed"),
    }
}
