//! The website logins through a provider's authorize page (QQ Connect, the
//! WeChat QR login): one flow, one [`WebLoginProvider`] per provider.

mod bind_subject;
mod qq;
mod wechat;

use async_trait::async_trait;

pub(crate) use bind_subject::{bind_subject, bound_openid};
pub use qq::QqWebLogin;
pub use wechat::WeChatWebLogin;

use crate::AppError;
use crate::ports::OAuthProvider;

/// Who the person behind a callback's code is at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderIdentity {
    pub openid: String,
    /// The provider's cross-app id, when it gave one.
    pub unionid: Option<String>,
}

/// One provider's side of the website login: where the browser goes, and who
/// a callback's code belongs to, with the provider's failures already mapped
/// to what the client should see.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait WebLoginProvider: Send + Sync {
    fn provider(&self) -> OAuthProvider;
    /// The app id, part of every identity key.
    fn app_id(&self) -> String;
    /// The provider's authorize page, carrying `state` back to the callback.
    fn authorize_url(&self, state: &str) -> String;
    async fn identify(&self, code: &str) -> Result<ProviderIdentity, AppError>;
}
