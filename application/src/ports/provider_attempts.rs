use async_trait::async_trait;

use super::{ClaimedMessage, DeliveryError};

/// How one provider's try at a message ended, in neutral terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Sent,
    /// Worth retrying with the same provider later (a per-number limit, a busy moment).
    Temporary,
    /// The provider could not carry it now; the next one, if any, was tried.
    Unavailable,
    Rejected,
}

impl AttemptOutcome {
    pub fn of(result: &Result<(), DeliveryError>) -> Self {
        match result {
            Ok(()) => Self::Sent,
            Err(DeliveryError::Temporary(_)) => Self::Temporary,
            Err(DeliveryError::Unavailable(_)) => Self::Unavailable,
            Err(DeliveryError::Rejected(_)) => Self::Rejected,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Temporary => "temporary",
            Self::Unavailable => "unavailable",
            Self::Rejected => "rejected",
        }
    }
}

/// Where each provider's try at a message is recorded: the outbox row (which provider carried
/// or failed each attempt) and the metrics (sends per provider and outcome).
#[async_trait]
pub trait ProviderAttempts: Send + Sync {
    /// `queued` is the outbox message and its attempt, `None` for a message sent outside the
    /// outbox. Recording is best effort: a failure is logged, never the message's failure.
    async fn record(&self, queued: Option<&ClaimedMessage>, provider: &'static str, outcome: AttemptOutcome);
}
