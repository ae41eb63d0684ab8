/// Why a provider call failed, in terms every provider shares. Each adapter reads its
/// provider's own error codes and answers one of these, so nothing above the adapters
/// knows a QQ or WeChat number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The authorization code is unknown, expired or already used: the person starts again.
    #[error("the provider rejected the code")]
    CodeRejected,
    /// The provider's per-user or per-app rate limit.
    #[error("the provider throttled the call")]
    Throttled,
    /// The provider blocked this person (e.g. a high-risk account).
    #[error("the provider blocked the user")]
    Blocked,
    /// Any other refusal: the provider's own code (shown to the client as it is) and description.
    #[error("provider refused ({code}): {message}")]
    Refused { code: i64, message: String },
    /// Unreachable, timed out, or an answer that could not be read.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
}
