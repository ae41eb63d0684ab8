use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
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

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// What a message says: a one-time code, or the link that confirms an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageContent {
    Code { purpose: CodePurpose, code: VerificationCode },
    EmailVerification { link: String },
}

impl MessageContent {
    /// The stable name of what the message is for (`register`, `reset_password`, `verify_email`).
    pub fn purpose_name(&self) -> &'static str {
        match self {
            Self::Code { purpose, .. } => purpose.as_str(),
            Self::EmailVerification { .. } => Self::EMAIL_VERIFICATION,
        }
    }

    pub const EMAIL_VERIFICATION: &'static str = "verify_email";
}

/// A message to one person over one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub channel: Channel,
    pub to: String,
    pub content: MessageContent,
}

/// A queued message handed to one worker, with the number of this attempt (1 = first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    pub id: i64,
    pub message: OutgoingMessage,
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagingError {
    #[error("messaging unavailable: {0}")]
    Unavailable(String),
    #[error("messaging error: {0}")]
    Other(String),
}

/// The durable queue of outgoing messages: written in the request, drained by
/// workers. Once `enqueue` returns `Ok`, the message survives a crash.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageOutbox: Send + Sync {
    async fn enqueue(&self, message: OutgoingMessage) -> Result<(), MessagingError>;
    /// Hands up to `limit` due messages to this worker for `lease`; no other
    /// worker gets them until the lease runs out (a crashed worker's messages
    /// come back then).
    async fn claim_due(&self, limit: u32, lease: Duration) -> Result<Vec<ClaimedMessage>, MessagingError>;
    async fn mark_sent(&self, id: i64) -> Result<(), MessagingError>;
    /// Schedules another attempt at `retry_at`, keeping `error`.
    async fn mark_retry(&self, id: i64, retry_at: DateTime<Utc>, error: &str) -> Result<(), MessagingError>;
    /// Gives up on the message, keeping `error`.
    async fn mark_dead(&self, id: i64, error: &str) -> Result<(), MessagingError>;
}
