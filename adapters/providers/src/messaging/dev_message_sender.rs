use std::sync::Arc;

use application::ports::{DeliveryError, MessageContent, MessageSender, OutgoingMessage};
use async_trait::async_trait;

use super::DevOutbox;
use domain::personal_data::masked;

/// Development delivery: nothing is sent. While the development outbox is on,
/// the message goes to the log with its code or link (the [`DevOutbox`] shows it
/// from the outbox table);
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
        if self.outbox.is_none() {
            tracing::info!(
                channel,
                to = %masked(&message.to),
                purpose,
                "development message delivered (not sent; the development outbox is off)"
            );
            return Ok(());
        }
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
        Ok(())
    }
}
