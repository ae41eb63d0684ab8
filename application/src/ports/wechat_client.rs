use async_trait::async_trait;

use super::ProviderError;

/// What `jscode2session` says about a mini-program user.
#[derive(Clone, PartialEq, Eq)]
pub struct MiniProgramSession {
    pub openid: String,
    /// Present when the mini-program is bound to an Open Platform account.
    pub unionid: Option<String>,
    /// For decrypting and checking data from the mini-program: server-side only,
    /// never returned to a client, never logged.
    pub session_key: String,
}

impl std::fmt::Debug for MiniProgramSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniProgramSession")
            .field("openid", &self.openid)
            .field("unionid", &self.unionid)
            .field("session_key", &"***")
            .finish()
    }
}

/// What the website QR login (`sns/oauth2/access_token` then `sns/userinfo`) says about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    pub openid: String,
    pub unionid: Option<String>,
    pub nickname: Option<String>,
    pub avatar: Option<String>,
}

/// WeChat: mini-program login, website QR login and the mini-program's phone
/// number. Answers arrive with HTTP 200 even on errors; the adapter reads each
/// `errcode` into a provider-neutral [`ProviderError`] and retries `-1` (busy) itself.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WeChatClient: Send + Sync {
    /// The mini-program's app id, part of its identity keys.
    fn mini_program_app_id(&self) -> String;
    /// The website (Open Platform) app id, part of its identity keys.
    fn web_app_id(&self) -> String;
    /// `jscode2session` for the code of `wx.login()`.
    async fn code_to_session(&self, js_code: &str) -> Result<MiniProgramSession, ProviderError>;
    /// The `qrconnect` URL carrying `state` back to the callback.
    fn web_authorize_url(&self, state: &str) -> String;
    /// Exchanges the callback's code, then reads the profile.
    async fn web_identify(&self, code: &str) -> Result<WebIdentity, ProviderError>;
    /// The phone number behind the code of the mini-program's phone button
    /// (`getuserphonenumber`, with the cached app access token).
    async fn phone_number(&self, code: &str) -> Result<String, ProviderError>;
}
