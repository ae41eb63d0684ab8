use std::sync::Arc;

use application::ports::{MessageOutbox, MessagingError, OutgoingMessage};
use async_trait::async_trait;
use chrono::Utc;

use super::{DevMessage, DevOutbox};

/// Development delivery: writes the message to the log and to the
/// [`DevOutbox`] instead of sending it. Never configured in production mode,
/// where codes must not reach a log.
pub struct DevMessageSender {
    outbox: Arc<DevOutbox>,
}

impl DevMessageSender {
    pub fn new(outbox: Arc<DevOutbox>) -> Self {
        Self { outbox }
    }
}

#[async_trait]
impl MessageOutbox for DevMessageSender {
    async fn enqueue(&self, message: OutgoingMessage) -> Result<(), MessagingError> {
        tracing::info!(
            channel = message.channel.as_str(),
            to = %message.to,
            purpose = message.purpose.as_str(),
            code = message.code.expose(),
            "development message (not sent; see /dev/outbox/)"
        );
        self.outbox.record_message(DevMessage {
            channel: message.channel.as_str().to_owned(),
            to: message.to,
            purpose: message.purpose.as_str().to_owned(),
            code: Some(message.code.expose().to_owned()),
            link: None,
            created_at: Utc::now(),
        });
        Ok(())
    }
}
