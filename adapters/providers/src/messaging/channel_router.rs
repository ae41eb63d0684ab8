use std::sync::Arc;

use application::ports::{Channel, ClaimedMessage, DeliveryError, MessageSender, OutgoingMessage};
use async_trait::async_trait;

/// Hands each message to the sender of its channel, so text messages and
/// mail can each go through a real provider or the development outbox.
pub struct ChannelRouter {
    sms: Arc<dyn MessageSender>,
    email: Arc<dyn MessageSender>,
}

impl ChannelRouter {
    pub fn new(sms: Arc<dyn MessageSender>, email: Arc<dyn MessageSender>) -> Self {
        Self { sms, email }
    }
}

#[async_trait]
impl MessageSender for ChannelRouter {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        match message.channel {
            Channel::Sms => self.sms.send(message).await,
            Channel::Email => self.email.send(message).await,
        }
    }

    async fn send_queued(&self, queued: &ClaimedMessage) -> Result<(), DeliveryError> {
        match queued.message.channel {
            Channel::Sms => self.sms.send_queued(queued).await,
            Channel::Email => self.email.send_queued(queued).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use application::ports::{CodePurpose, MessageContent, MockMessageSender};
    use domain::VerificationCode;

    use super::*;

    fn message(channel: Channel) -> OutgoingMessage {
        OutgoingMessage {
            channel,
            to: "someone".into(),
            content: MessageContent::Code {
                purpose: CodePurpose::Register,
                code: VerificationCode::parse("123456").unwrap(),
            },
        }
    }

    fn expecting(channel: Channel, answer: Result<(), DeliveryError>) -> MockMessageSender {
        let mut sender = MockMessageSender::new();
        sender.expect_send().withf(move |m| m.channel == channel).times(1).returning(move |_| answer.clone());
        sender
    }

    #[tokio::test]
    async fn each_channel_goes_to_its_own_sender_and_its_answer_comes_back() {
        let router = ChannelRouter::new(
            Arc::new(expecting(Channel::Sms, Err(DeliveryError::Rejected("bad number".into())))),
            Arc::new(expecting(Channel::Email, Ok(()))),
        );
        assert_eq!(router.send(&message(Channel::Sms)).await, Err(DeliveryError::Rejected("bad number".into())));
        assert_eq!(router.send(&message(Channel::Email)).await, Ok(()));
    }
}
