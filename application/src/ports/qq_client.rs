use async_trait::async_trait;

use super::ProviderError;

/// What QQ Connect says about the person who authorised the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QqIdentity {
    pub openid: String,
    /// Present when the app has the unionid permission.
    pub unionid: Option<String>,
}

/// QQ Connect (OAuth 2.0, authorization code). Base URLs, app id, app key and
/// redirect URI are the adapter's configuration.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait QqClient: Send + Sync {
    /// The app id, part of every identity key.
    fn app_id(&self) -> String;
    /// Where the browser goes to authorise, carrying `state` back to the callback.
    fn authorize_url(&self, state: &str) -> String;
    /// Exchanges the callback's code for an access token, then asks who it belongs to.
    async fn identify(&self, code: &str) -> Result<QqIdentity, ProviderError>;
}
