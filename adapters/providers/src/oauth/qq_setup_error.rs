/// Why a [`super::QqConnectClient`] cannot be built from its settings; found at startup
/// rather than at the first login.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QqSetupError {
    #[error("qq connect: {0} is empty")]
    Missing(&'static str),
    #[error("qq connect: redirect_uri {0:?} is not an http(s) URL with a host")]
    RedirectUri(String),
    #[error("qq connect: api_base {0:?} is not an http(s) URL with a host")]
    ApiBase(String),
    #[error("qq connect: cannot build the HTTP client: {0}")]
    Client(String),
}
