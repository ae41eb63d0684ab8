use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::MessagingError;

/// A message queued for a development adapter, from the moment its request queued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMessage {
    /// The outbox row's id.
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    pub to: String,
    pub purpose: String,
    pub status: DeliveryStatus,
    pub code: Option<String>,
    /// The verification link of an email-binding mail.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where a development message is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for the delivery worker.
    Queued,
    /// Handed to the development adapter.
    Sent,
    /// An attempt failed; a retry is scheduled.
    Failed,
    /// Given up.
    Dead,
}

/// A captcha drawn in development mode, with its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevCaptcha {
    pub id: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// What `GET /dev/outbox/` shows while the development message adapters are
/// in use: the newest codes, links and captchas, so a frontend developer or an
/// end-to-end test can register without an SMS provider or reading the picture.
#[async_trait]
pub trait DevOutboxView: Send + Sync {
    /// The newest messages to the development adapters, newest first.
    async fn messages(&self) -> Result<Vec<DevMessage>, MessagingError>;
    /// The newest captchas with their answers, newest first.
    fn captchas(&self) -> Vec<DevCaptcha>;
}
