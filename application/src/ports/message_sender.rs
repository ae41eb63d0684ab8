use async_trait::async_trait;

use super::{ClaimedMessage, OutgoingMessage};

/// Why a provider did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying: timeouts, provider busy, network trouble.
    #[error("temporary delivery failure: {0}")]
    Temporary(String),
    /// The provider cannot carry messages now (out of balance or service, throttled as a whole,
    /// failing, not answering): worth retrying later, or handing to another provider at once.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
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

    /// Sends a message of the outbox. Providers that take a reference of their own (Alibaba's
    /// `OutId`) are given the outbox id, so that a retry of the same message is recognisable.
    async fn send_queued(&self, queued: &ClaimedMessage) -> Result<(), DeliveryError> {
        self.send(&queued.message).await
    }
}
