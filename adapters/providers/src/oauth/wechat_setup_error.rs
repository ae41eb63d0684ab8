/// Why a [`super::WeChatApiClient`] cannot be built from its settings; found at startup
/// rather than at the first login.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatSetupError {
    /// An app given only in part: its app id without its secret, or the reverse.
    #[error("wechat: {0} is empty while the rest of its app is set")]
    Incomplete(&'static str),
    #[error("wechat: web_redirect_uri {0:?} is not an http(s) URL with a host")]
    RedirectUri(String),
    #[error("wechat: {0} {1:?} is not an http(s) URL with a host")]
    Base(&'static str, String),
    #[error("wechat: cannot build the HTTP client: {0}")]
    Client(String),
}
