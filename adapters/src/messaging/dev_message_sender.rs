use std::sync::Arc;

use application::ports::{DeliveryError, MessageContent, MessageSender, OutgoingMessage};
use async_trait::async_trait;
use chrono::Utc;

use super::{DevMessage, DevOutbox};
use crate::personal_data::masked;

/// Development delivery: nothing is sent. While the development outbox is on,
/// the message goes to the [`DevOutbox`] and the log with its code or link;
/// while it is off (a real provider on the other channel, `TRUSTED_PROXIES`,
/// `DEV_OUTBOX=false`) only the fact of a delivery is logged, with the
/// recipient masked, so no code, link or contact reaches a log a production
/// deployment keeps.
pub struct DevMessageSender {
    outbox: Option<Arc<DevOutbox>>,
}

impl DevMessageSender {
    pub fn new(outbox: Option<Arc<DevOutbox>>) -> Self {
        Self { outbox }
    }
}

#[async_trait]
impl MessageSender for DevMessageSender {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        let channel = message.channel.as_str();
        let purpose = message.content.purpose_name();
        let Some(outbox) = &self.outbox else {
            tracing::info!(
                channel,
                to = %masked(&message.to),
                purpose,
                "development message delivered (not sent; the development outbox is off)"
            );
            return Ok(());
        };
        let (code, link) = match &message.content {
            MessageContent::Code { code, .. } => (Some(code.expose().to_owned()), None),
            MessageContent::EmailVerification { link } => (None, Some(link.clone())),
        };
        tracing::info!(
            channel,
            to = %message.to,
            purpose,
            code = code.as_deref(),
            link = link.as_deref(),
            "development message (not sent; see /dev/outbox/)"
        );
        outbox.record_message(DevMessage {
            channel: channel.to_owned(),
            to: message.to.clone(),
            purpose: purpose.to_owned(),
            code,
            link,
            created_at: Utc::now(),
        });
        Ok(())
    }
}
