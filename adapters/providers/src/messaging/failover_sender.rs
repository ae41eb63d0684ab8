use std::sync::Arc;

use application::ports::{
    AttemptOutcome, ClaimedMessage, DeliveryError, MessageSender, OutgoingMessage, ProviderAttempts,
};
use async_trait::async_trait;

/// Tries providers in order of preference: a message the first cannot carry now
/// ([`DeliveryError::Unavailable`]: out of balance or service, throttled account-wide, failing,
/// not answering) goes to the next. Any other answer is final: a permanent refusal would be
/// refused again elsewhere, and a per-number limit waits rather than reach the person twice.
/// Every provider's try is handed to `attempts` (the outbox row, the metrics).
pub struct FailoverSender {
    providers: Vec<(&'static str, Arc<dyn MessageSender>)>,
    attempts: Vec<Arc<dyn ProviderAttempts>>,
}

impl FailoverSender {
    /// `providers` by name, most preferred first.
    pub fn new(
        providers: Vec<(&'static str, Arc<dyn MessageSender>)>,
        attempts: Vec<Arc<dyn ProviderAttempts>>,
    ) -> Self {
        Self { providers, attempts }
    }

    async fn first_that_carries<'a, F, Fut>(
        &'a self,
        queued: Option<&ClaimedMessage>,
        send: F,
    ) -> Result<(), DeliveryError>
    where
        F: Fn(&'a Arc<dyn MessageSender>) -> Fut,
        Fut: std::future::Future<Output = Result<(), DeliveryError>>,
    {
        let mut last = DeliveryError::Unavailable("no SMS provider configured".into());
        for (index, (name, sender)) in self.providers.iter().enumerate() {
            let result = send(sender).await;
            let outcome = AttemptOutcome::of(&result);
            for attempts in &self.attempts {
                attempts.record(queued, name, outcome).await;
            }
            match result {
                Err(DeliveryError::Unavailable(why)) => {
                    if let Some((next, _)) = self.providers.get(index + 1) {
                        tracing::warn!(provider = name, next, reason = %why, "sms provider unavailable: trying the next");
                    }
                    last = DeliveryError::Unavailable(why);
                }
                other => return other,
            }
        }
        Err(last)
    }
}

#[async_trait]
impl MessageSender for FailoverSender {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        self.first_that_carries(None, |sender| sender.send(message)).await
    }

    async fn send_queued(&self, queued: &ClaimedMessage) -> Result<(), DeliveryError> {
        self.first_that_carries(Some(queued), |sender| sender.send_queued(queued)).await
    }
}

#[cfg(test)]
mod tests {
    use application::ports::{Channel, CodePurpose, MessageContent, MockMessageSender};
    use domain::VerificationCode;
    use parking_lot::Mutex;

    use super::*;

    /// One recorded try: `(message id, attempt)`, provider, outcome.
    type Try = (Option<(i64, u32)>, &'static str, AttemptOutcome);

    /// Every try recorded.
    #[derive(Default)]
    struct Recorded(Mutex<Vec<Try>>);

    #[async_trait]
    impl ProviderAttempts for Recorded {
        async fn record(&self, queued: Option<&ClaimedMessage>, provider: &'static str, outcome: AttemptOutcome) {
            self.0.lock().push((queued.map(|q| (q.id, q.attempt)), provider, outcome));
        }
    }

    fn queued() -> ClaimedMessage {
        ClaimedMessage {
            id: 9,
            attempt: 1,
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

    fn answering(times: usize, answer: Result<(), DeliveryError>) -> Arc<dyn MessageSender> {
        let mut sender = MockMessageSender::new();
        sender.expect_send_queued().withf(|q| q.id == 9).times(times).returning(move |_| answer.clone());
        Arc::new(sender)
    }

    #[tokio::test]
    async fn an_unavailable_provider_hands_the_message_to_the_next_and_both_tries_are_recorded() {
        let recorded = Arc::new(Recorded::default());
        let failover = FailoverSender::new(
            vec![
                ("aliyun", answering(1, Err(DeliveryError::Unavailable("isv.OUT_OF_SERVICE".into())))),
                ("tencent", answering(1, Ok(()))),
            ],
            vec![recorded.clone()],
        );
        assert_eq!(failover.send_queued(&queued()).await, Ok(()));
        assert_eq!(
            *recorded.0.lock(),
            [(Some((9, 1)), "aliyun", AttemptOutcome::Unavailable), (Some((9, 1)), "tencent", AttemptOutcome::Sent)]
        );
    }

    #[tokio::test]
    async fn a_refusal_or_a_per_number_limit_stays_with_the_first() {
        for answer in [
            Err(DeliveryError::Rejected("isv.MOBILE_NUMBER_ILLEGAL".into())),
            Err(DeliveryError::Temporary("isv.BUSINESS_LIMIT_CONTROL".into())),
            Ok(()),
        ] {
            let failover = FailoverSender::new(
                vec![("aliyun", answering(1, answer.clone())), ("tencent", answering(0, Ok(())))],
                Vec::new(),
            );
            assert_eq!(failover.send_queued(&queued()).await, answer);
        }
    }

    #[tokio::test]
    async fn when_every_provider_is_unavailable_the_last_reason_comes_back() {
        let failover = FailoverSender::new(
            vec![
                ("aliyun", answering(1, Err(DeliveryError::Unavailable("a".into())))),
                ("tencent", answering(1, Err(DeliveryError::Unavailable("b".into())))),
            ],
            Vec::new(),
        );
        assert_eq!(failover.send_queued(&queued()).await, Err(DeliveryError::Unavailable("b".into())));
    }
}
