//! QQ and WeChat logins: the website logins, the mini-program and the bindings.

use std::sync::Arc;

use application::ports::{Clock, SessionKeyStore, WeChatClient, WebLoginProvider};
use application::use_cases::{
    BindMiniProgramPhone, BindOAuthIdentity, CompleteOAuthLogin, DepartOAuthLogin, LogInWithMiniProgram,
    ManageBindings, StartOAuthLogin,
};
use application::{AccountStores, FlowTokens, LoginRecorder, OAuthPolicy, OneTimeCodes, PasswordGuard, WeChatWebLogin};
use http_api::{OAuthFlowCookie, OAuthLogin, OAuthUseCases};
use providers::oauth::{QqConnectClient, WeChatApiClient};
use security::system::RandomCodeGenerator;

use crate::config::{Config, ConfigError};
use crate::server::StartError;

/// What the OAuth logins share with the rest of the service.
pub(super) struct OAuthPorts {
    pub accounts: AccountStores,
    pub codes: Arc<OneTimeCodes>,
    pub flow_tokens: Arc<FlowTokens>,
    pub passwords: PasswordGuard,
    pub logins: Arc<LoginRecorder>,
    pub clock: Arc<dyn Clock>,
}

/// Each login is present only when its provider is configured.
pub(super) fn oauth_use_cases(
    config: &Config,
    ports: &OAuthPorts,
    session_keys: Arc<dyn SessionKeyStore>,
) -> Result<OAuthUseCases, StartError> {
    let oauth_policy = OAuthPolicy::default();
    let qq_login = match config.qq_settings()? {
        Some(settings) => {
            tracing::info!(api_base = %settings.api_base, "QQ login enabled");
            let qq: Arc<dyn WebLoginProvider> =
                Arc::new(QqConnectClient::new(settings).map_err(|e| ConfigError::Invalid(format!("QQ Connect: {e}")))?);
            let cookie = OAuthFlowCookie::new("qq", is_https(config.qq_redirect_uri.as_deref()));
            Some(web_login(qq, cookie, oauth_policy.clone(), ports))
        }
        None => None,
    };
    let wechat_settings = config.wechat_settings()?;
    let (has_mini_program, has_website) = wechat_settings
        .as_ref()
        .map_or((false, false), |settings| (settings.has_mini_program(), settings.has_website()));
    let wechat: Option<Arc<dyn WeChatClient>> = match wechat_settings {
        Some(settings) => {
            Some(Arc::new(WeChatApiClient::new(settings).map_err(|e| ConfigError::Invalid(format!("WeChat: {e}")))?))
        }
        None => None,
    };
    let wechat_web_login = match &wechat {
        Some(wechat) if has_website => {
            tracing::info!("WeChat website (QR) login enabled");
            let provider = Arc::new(WeChatWebLogin::new(wechat.clone()));
            let cookie = OAuthFlowCookie::new("wechat", is_https(config.wechat_web_redirect_uri.as_deref()));
            Some(web_login(provider, cookie, oauth_policy, ports))
        }
        _ => None,
    };
    let (mini_program_login, mini_program_phone) = match wechat {
        Some(wechat) if has_mini_program => {
            tracing::info!("WeChat mini-program login enabled");
            let login = LogInWithMiniProgram::new(
                wechat.clone(),
                ports.accounts.clone(),
                Arc::new(RandomCodeGenerator),
                session_keys,
                ports.logins.clone(),
                ports.clock.clone(),
                OAuthPolicy::default(),
            );
            (Some(login), Some(BindMiniProgramPhone::new(wechat, ports.accounts.users.clone())))
        }
        _ => (None, None),
    };
    Ok(OAuthUseCases {
        qq_login,
        wechat_web_login,
        manage_bindings: ManageBindings::new(ports.accounts.identities.clone()),
        mini_program_login,
        mini_program_phone,
    })
}

/// A callback page served over https means the service is reached over https too (browsers
/// block an https page's requests to plain http), so the flow cookie is always `Secure`.
fn is_https(redirect_uri: Option<&str>) -> bool {
    redirect_uri.is_some_and(|uri| uri.trim().to_ascii_lowercase().starts_with("https://"))
}

/// One provider's website login: the start, the hop, the callback and the bind form.
fn web_login(
    provider: Arc<dyn WebLoginProvider>,
    cookie: OAuthFlowCookie,
    policy: OAuthPolicy,
    ports: &OAuthPorts,
) -> OAuthLogin {
    OAuthLogin {
        start: StartOAuthLogin::new(provider.clone(), ports.flow_tokens.clone(), policy.clone()),
        depart: DepartOAuthLogin::new(provider.clone(), ports.flow_tokens.clone(), ports.clock.clone(), policy.clone()),
        complete: CompleteOAuthLogin::new(
            provider.clone(),
            ports.accounts.clone(),
            ports.flow_tokens.clone(),
            ports.logins.clone(),
            ports.clock.clone(),
            policy,
        ),
        bind: BindOAuthIdentity::new(
            provider,
            ports.accounts.clone(),
            ports.codes.clone(),
            ports.passwords.clone(),
            ports.flow_tokens.clone(),
            ports.logins.clone(),
            ports.clock.clone(),
        ),
        cookie,
    }
}
