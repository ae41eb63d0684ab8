use application::ports;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What the development message adapters sent, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "messages": [{"id": 42, "channel": "sms", "to": "13800138000", "purpose": "register", "status": "queued",
                  "code": "123456", "link": null, "created_at": "2026-11-22T08:00:00Z"}],
    "captchas": [{"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "text": "AB12", "created_at": "2026-11-22T08:00:00Z"}]
}))]
pub struct DevOutboxResponse {
    pub messages: Vec<DevMessage>,
    pub captchas: Vec<DevCaptcha>,
}

/// A message queued for a development adapter, from the moment its request queued it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DevMessage {
    /// The outbox row's id.
    #[schema(example = 42)]
    pub id: i64,
    /// `sms` or `email`.
    #[schema(example = "sms")]
    pub channel: String,
    #[schema(example = "13800138000")]
    pub to: String,
    #[schema(example = "register")]
    pub purpose: String,
    /// `queued` (waiting for the delivery worker), `sent` (handed to the development adapter), `failed` (an
    /// attempt failed; a retry is scheduled) or `dead` (given up).
    #[schema(example = "queued")]
    pub status: DeliveryStatus,
    #[schema(example = "123456")]
    pub code: Option<String>,
    /// The verification link of an email-binding mail.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Failed,
    Dead,
}

/// A captcha drawn in development mode, with its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DevCaptcha {
    #[schema(example = "6f9619ff-8b86-d011-b42d-00c04fc964ff")]
    pub id: String,
    #[schema(example = "AB12")]
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<ports::DevMessage> for DevMessage {
    fn from(message: ports::DevMessage) -> Self {
        Self {
            id: message.id,
            channel: message.channel,
            to: message.to,
            purpose: message.purpose,
            status: message.status.into(),
            code: message.code,
            link: message.link,
            created_at: message.created_at,
        }
    }
}

impl From<ports::DeliveryStatus> for DeliveryStatus {
    fn from(status: ports::DeliveryStatus) -> Self {
        match status {
            ports::DeliveryStatus::Queued => Self::Queued,
            ports::DeliveryStatus::Sent => Self::Sent,
            ports::DeliveryStatus::Failed => Self::Failed,
            ports::DeliveryStatus::Dead => Self::Dead,
        }
    }
}

impl From<ports::DevCaptcha> for DevCaptcha {
    fn from(captcha: ports::DevCaptcha) -> Self {
        Self { id: captcha.id, text: captcha.text, created_at: captcha.created_at }
    }
}
