use async_trait::async_trait;

use super::OutgoingMessage;

/// Why a provider did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying: timeouts, provider busy, network trouble.
    #[error("temporary delivery failure: {0}")]
    Temporary(String),
    /// Retrying cannot help: bad number, rejected template, no credit.
    #[error("delivery rejected: {0}")]
    Rejected(String),
}

/// Hands a message to a provider (an SMS gateway, an SMTP server, or the
/// development outbox).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageSender: Send + Sync {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError>;
}
