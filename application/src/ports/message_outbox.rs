use async_trait::async_trait;
use domain::VerificationCode;

use super::CodePurpose;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// A message carrying a one-time code to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub channel: Channel,
    pub to: String,
    pub purpose: CodePurpose,
    pub code: VerificationCode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagingError {
    #[error("messaging unavailable: {0}")]
    Unavailable(String),
    #[error("messaging error: {0}")]
    Other(String),
}

/// Hands a message over for delivery; once this returns `Ok`, delivery is
/// the adapter's responsibility.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageOutbox: Send + Sync {
    async fn enqueue(&self, message: OutgoingMessage) -> Result<(), MessagingError>;
}
