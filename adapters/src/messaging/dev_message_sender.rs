use std::sync::Arc;

use application::ports::{DeliveryError, MessageSender, OutgoingMessage};
use async_trait::async_trait;
use chrono::Utc;

use super::{DevMessage, DevOutbox};

/// Development delivery: writes the message to the log and to the
/// [`DevOutbox`] instead of sending it. Never configured with a real
/// provider, so codes reach a log only in development.
pub struct DevMessageSender {
    outbox: Arc<DevOutbox>,
}

impl DevMessageSender {
    pub fn new(outbox: Arc<DevOutbox>) -> Self {
        Self { outbox }
    }
}

#[async_trait]
impl MessageSender for DevMessageSender {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        tracing::info!(
            channel = message.channel.as_str(),
            to = %message.to,
            purpose = message.purpose.as_str(),
            code = message.code.expose(),
            "development message (not sent; see /dev/outbox/)"
        );
        self.outbox.record_message(DevMessage {
            channel: message.channel.as_str().to_owned(),
            to: message.to.clone(),
            purpose: message.purpose.as_str().to_owned(),
            code: Some(message.code.expose().to_owned()),
            link: None,
            created_at: Utc::now(),
        });
        Ok(())
    }
}
