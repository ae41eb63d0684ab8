use std::collections::VecDeque;

use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;

use application::ports::{
    Channel, ClaimedMessage, DeliveryStatus, DevCaptcha, DevMessage, DevOutboxView, MessageContent, MessagingError,
    OutboxFeed,
};

/// What a claimed message said, kept because the outbox table wipes it once
/// the message is settled.
struct ClaimedContent {
    id: i64,
    code: Option<String>,
    link: Option<String>,
}

/// The newest messages for the development adapters and the last captchas,
/// newest first, so a frontend developer or an end-to-end test can register
/// without an SMS provider or reading the picture. Messages are read from the
/// outbox table, so one shows as soon as its request has queued it; their
/// codes and links come from the row while it is pending and, once the worker
/// has claimed it, from what this outbox kept of the claim. Only channels that
/// go to the development adapter are shown: a real provider's codes never are.
pub struct DevOutbox {
    feed: Arc<dyn OutboxFeed>,
    dev_channels: Vec<Channel>,
    claimed: Mutex<VecDeque<ClaimedContent>>,
    captchas: Mutex<VecDeque<DevCaptcha>>,
    keep: usize,
}

impl DevOutbox {
    pub const DEFAULT_KEEP: usize = 100;

    pub fn new(keep: usize, feed: Arc<dyn OutboxFeed>, dev_channels: Vec<Channel>) -> Self {
        Self { feed, dev_channels, claimed: Mutex::default(), captchas: Mutex::default(), keep: keep.max(1) }
    }

    pub fn shows(&self, channel: Channel) -> bool {
        self.dev_channels.contains(&channel)
    }

    /// Keeps what a message handed to the worker says, before the table forgets it.
    pub fn record_claim(&self, claimed: &ClaimedMessage) {
        if !self.shows(claimed.message.channel) {
            return;
        }
        let (code, link) = match &claimed.message.content {
            MessageContent::Code { code, .. } => (Some(code.expose().to_owned()), None),
            MessageContent::EmailVerification { link } => (None, Some(link.clone())),
        };
        let mut kept = self.claimed.lock();
        if kept.iter().all(|c| c.id != claimed.id) {
            push_front_bounded(&mut kept, ClaimedContent { id: claimed.id, code, link }, self.keep);
        }
    }

    pub fn record_captcha(&self, captcha: DevCaptcha) {
        push_front_bounded(&mut self.captchas.lock(), captcha, self.keep);
    }
}

#[async_trait]
impl DevOutboxView for DevOutbox {
    async fn messages(&self) -> Result<Vec<DevMessage>, MessagingError> {
        let rows = self.feed.recent(u32::try_from(self.keep).unwrap_or(u32::MAX)).await?;
        let claimed = self.claimed.lock();
        Ok(rows
            .into_iter()
            .filter(|row| Channel::parse(&row.channel).is_some_and(|channel| self.shows(channel)))
            .map(|row| {
                let kept = claimed.iter().find(|c| c.id == row.id);
                DevMessage {
                    id: row.id,
                    status: match (row.status.as_str(), row.failed_before) {
                        ("sent", _) => DeliveryStatus::Sent,
                        ("dead", _) => DeliveryStatus::Dead,
                        (_, true) => DeliveryStatus::Failed,
                        _ => DeliveryStatus::Queued,
                    },
                    code: row.code.or_else(|| kept.and_then(|c| c.code.clone())),
                    link: row.link.or_else(|| kept.and_then(|c| c.link.clone())),
                    channel: row.channel,
                    to: row.recipient,
                    purpose: row.purpose,
                    created_at: row.created_at,
                }
            })
            .collect())
    }

    fn captchas(&self) -> Vec<DevCaptcha> {
        self.captchas.lock().iter().cloned().collect()
    }
}

fn push_front_bounded<T>(queue: &mut VecDeque<T>, item: T, keep: usize) {
    queue.push_front(item);
    queue.truncate(keep);
}

#[cfg(test)]
mod tests {
    use application::ports::{OutboxCounts, OutboxEntry};
    use chrono::Utc;

    use super::*;

    /// An outbox table that holds nothing: these tests are about the captchas.
    struct EmptyFeed;

    #[async_trait]
    impl OutboxFeed for EmptyFeed {
        async fn recent(&self, _limit: u32) -> Result<Vec<OutboxEntry>, MessagingError> {
            Ok(Vec::new())
        }

        async fn counts(&self) -> Result<OutboxCounts, MessagingError> {
            Ok(OutboxCounts::default())
        }
    }

    #[tokio::test]
    async fn keeps_the_newest_captchas_first_and_forgets_the_oldest() {
        let outbox = DevOutbox::new(2, Arc::new(EmptyFeed), vec![Channel::Sms]);
        for id in ["a", "b", "c"] {
            outbox.record_captcha(DevCaptcha { id: id.into(), text: "AB12".into(), created_at: Utc::now() });
        }
        assert_eq!(outbox.captchas().iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["c", "b"]);
    }
}
