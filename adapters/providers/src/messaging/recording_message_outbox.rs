use std::sync::Arc;
use std::time::Duration;

use application::ports::{ClaimedMessage, MessageOutbox, MessagingError, OutgoingMessage};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::DevOutbox;

/// Development decorator of the worker's [`MessageOutbox`]: every message it
/// claims is kept in the [`DevOutbox`] before it is sent, because settling the
/// row wipes its code or link and the development outbox still shows them.
pub struct RecordingMessageOutbox {
    inner: Arc<dyn MessageOutbox>,
    outbox: Arc<DevOutbox>,
}

impl RecordingMessageOutbox {
    pub fn new(inner: Arc<dyn MessageOutbox>, outbox: Arc<DevOutbox>) -> Self {
        Self { inner, outbox }
    }
}

#[async_trait]
impl MessageOutbox for RecordingMessageOutbox {
    async fn enqueue(&self, message: OutgoingMessage) -> Result<(), MessagingError> {
        self.inner.enqueue(message).await
    }

    async fn claim_due(&self, limit: u32, lease: Duration) -> Result<Vec<ClaimedMessage>, MessagingError> {
        let claimed = self.inner.claim_due(limit, lease).await?;
        for message in &claimed {
            self.outbox.record_claim(message);
        }
        Ok(claimed)
    }

    async fn mark_sent(&self, id: i64) -> Result<(), MessagingError> {
        self.inner.mark_sent(id).await
    }

    async fn mark_retry(&self, id: i64, retry_at: DateTime<Utc>, error: &str) -> Result<(), MessagingError> {
        self.inner.mark_retry(id, retry_at, error).await
    }

    async fn mark_dead(&self, id: i64, error: &str) -> Result<(), MessagingError> {
        self.inner.mark_dead(id, error).await
    }
}
