use std::sync::Arc;

use chrono::TimeDelta;

use crate::ports::{Clock, DeliveryError, MessageOutbox, MessageSender};
use crate::{AppError, DeliveryPolicy};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

/// One round of the outbox worker: claim due messages, hand each to the
/// sender, and record the outcome (sent, retry later, or dead).
pub struct DeliverMessages {
    outbox: Arc<dyn MessageOutbox>,
    sender: Arc<dyn MessageSender>,
    clock: Arc<dyn Clock>,
    policy: DeliveryPolicy,
}

impl DeliverMessages {
    pub fn new(
        outbox: Arc<dyn MessageOutbox>,
        sender: Arc<dyn MessageSender>,
        clock: Arc<dyn Clock>,
        policy: DeliveryPolicy,
    ) -> Self {
        Self { outbox, sender, clock, policy }
    }

    pub fn policy(&self) -> &DeliveryPolicy {
        &self.policy
    }

    pub async fn run_once(&self) -> Result<DeliveryReport, AppError> {
        let claimed = self.outbox.claim_due(self.policy.batch_size, self.policy.lease).await?;
        let mut report = DeliveryReport { claimed: claimed.len(), ..DeliveryReport::default() };
        for claimed in claimed {
            let error = match self.sender.send_queued(&claimed).await {
                Ok(()) => {
                    self.outbox.mark_sent(claimed.id).await?;
                    report.sent += 1;
                    continue;
                }
                Err(error) => error,
            };
            let give_up = matches!(error, DeliveryError::Rejected(_)) || claimed.attempt >= self.policy.max_attempts;
            if give_up {
                self.outbox.mark_dead(claimed.id, &error.to_string()).await?;
                report.dead += 1;
            } else {
                let wait = TimeDelta::from_std(self.policy.backoff(claimed.attempt)).unwrap_or(TimeDelta::MAX);
                let retry_at = self.clock.now().checked_add_signed(wait).unwrap_or_else(|| self.clock.now());
                self.outbox.mark_retry(claimed.id, retry_at, &error.to_string()).await?;
                report.retried += 1;
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{DateTime, Utc};
    use domain::VerificationCode;

    use super::*;
    use crate::ports::{
        Channel, ClaimedMessage, CodePurpose, MessageContent, MessagingError, MockClock, MockMessageOutbox,
        MockMessageSender, OutgoingMessage,
    };

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn claimed(id: i64, attempt: u32) -> ClaimedMessage {
        ClaimedMessage {
            id,
            attempt,
            message: OutgoingMessage {
                channel: Channel::Sms,
                to: "13800138000".into(),
                content: MessageContent::Code {
                    purpose: CodePurpose::Register,
                    code: VerificationCode::parse("123456").unwrap(),
                },
            },
        }
    }

    fn deliver(outbox: MockMessageOutbox, sender: MockMessageSender) -> DeliverMessages {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        DeliverMessages::new(Arc::new(outbox), Arc::new(sender), Arc::new(clock), DeliveryPolicy::default())
    }

    fn outbox_with(messages: Vec<ClaimedMessage>) -> MockMessageOutbox {
        let mut outbox = MockMessageOutbox::new();
        outbox
            .expect_claim_due()
            .withf(|limit, lease| *limit == 16 && *lease == Duration::from_secs(60))
            .times(1)
            .returning(move |_, _| Ok(messages.clone()));
        outbox
    }

    #[tokio::test]
    async fn a_delivered_message_is_marked_sent() {
        let mut outbox = outbox_with(vec![claimed(7, 1)]);
        outbox.expect_mark_sent().withf(|id| *id == 7).times(1).returning(|_| Ok(()));
        let mut sender = MockMessageSender::new();
        sender
            .expect_send_queued()
            .withf(|m| m.id == 7 && m.message.to == "13800138000")
            .times(1)
            .returning(|_| Ok(()));
        let report = deliver(outbox, sender).run_once().await.unwrap();
        assert_eq!(report, DeliveryReport { claimed: 1, sent: 1, retried: 0, dead: 0 });
    }

    #[tokio::test]
    async fn a_temporary_failure_is_retried_after_the_backoff() {
        let mut outbox = outbox_with(vec![claimed(7, 3)]);
        outbox
            .expect_mark_retry()
            .withf(|id, at, error| *id == 7 && *at == now() + TimeDelta::seconds(8) && error.contains("busy"))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut sender = MockMessageSender::new();
        sender.expect_send_queued().returning(|_| Err(DeliveryError::Temporary("provider busy".into())));
        let report = deliver(outbox, sender).run_once().await.unwrap();
        assert_eq!(report.retried, 1);
    }

    #[tokio::test]
    async fn the_fifth_failure_marks_the_message_dead_with_its_error() {
        let mut outbox = outbox_with(vec![claimed(7, 5)]);
        outbox
            .expect_mark_dead()
            .withf(|id, error| *id == 7 && error.contains("timeout"))
            .times(1)
            .returning(|_, _| Ok(()));
        let mut sender = MockMessageSender::new();
        sender.expect_send_queued().returning(|_| Err(DeliveryError::Temporary("timeout".into())));
        assert_eq!(deliver(outbox, sender).run_once().await.unwrap().dead, 1);
    }

    #[tokio::test]
    async fn a_rejected_message_is_dead_at_once() {
        let mut outbox = outbox_with(vec![claimed(7, 1)]);
        outbox.expect_mark_dead().times(1).returning(|_, _| Ok(()));
        let mut sender = MockMessageSender::new();
        sender.expect_send_queued().returning(|_| Err(DeliveryError::Rejected("invalid number".into())));
        assert_eq!(deliver(outbox, sender).run_once().await.unwrap().dead, 1);
    }

    #[tokio::test]
    async fn an_unreachable_queue_is_reported() {
        let mut outbox = MockMessageOutbox::new();
        outbox.expect_claim_due().returning(|_, _| Err(MessagingError::Unavailable("db down".into())));
        let got = deliver(outbox, MockMessageSender::new()).run_once().await;
        assert_eq!(got, Err(AppError::Unavailable(crate::Backend::Messaging)));
    }
}
