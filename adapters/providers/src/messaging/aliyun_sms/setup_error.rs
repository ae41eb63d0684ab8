/// Why a [`super::AliyunSmsSender`] cannot be built from its settings; found at startup
/// rather than at the first message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AliyunSmsSetupError {
    #[error("aliyun sms: {0} is empty")]
    Missing(&'static str),
    #[error("aliyun sms: endpoint {0:?} is not an http(s) URL with a host")]
    Endpoint(String),
    #[error("aliyun sms: cannot build the HTTP client: {0}")]
    Client(String),
}
