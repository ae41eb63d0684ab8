use async_trait::async_trait;

use super::{OAuthProvider, ProviderError};

/// Who the person behind a callback's code is at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderIdentity {
    pub openid: String,
    /// The provider's cross-app id, when it gave one.
    pub unionid: Option<String>,
}

/// One provider's side of the website login (QQ Connect, the WeChat QR login):
/// where the browser goes, and who a callback's code belongs to. Base URLs, app
/// id, app key and redirect URI are the adapter's configuration; the provider's
/// own error codes are read in the adapter, and what a [`ProviderError`] means to
/// the client is decided once, by the use case that asked.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebLoginProvider: Send + Sync {
    fn provider(&self) -> OAuthProvider;
    /// The app id, part of every identity key.
    fn app_id(&self) -> String;
    /// The provider's authorize page, carrying `state` back to the callback.
    fn authorize_url(&self, state: &str) -> String;
    /// Exchanges the callback's code for an access token, then asks whose it is.
    async fn identify(&self, code: &str) -> Result<ProviderIdentity, ProviderError>;
}
