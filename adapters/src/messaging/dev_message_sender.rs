use std::sync::Arc;

use application::ports::{DeliveryError, MessageContent, MessageSender, OutgoingMessage};
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
        let (code, link) = match &message.content {
            MessageContent::Code { code, .. } => (Some(code.expose().to_owned()), None),
            MessageContent::EmailVerification { link } => (None, Some(link.clone())),
        };
        tracing::info!(
            channel = message.channel.as_str(),
            to = %message.to,
            purpose = message.content.purpose_name(),
            code = code.as_deref(),
            link = link.as_deref(),
            "development message (not sent; see /dev/outbox/)"
        );
        self.outbox.record_message(DevMessage {
            channel: message.channel.as_str().to_owned(),
            to: message.to.clone(),
            purpose: message.content.purpose_name().to_owned(),
            code,
            link,
            created_at: Utc::now(),
        });
        Ok(())
    }
}
