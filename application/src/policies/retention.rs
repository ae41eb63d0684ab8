use std::time::Duration;

/// What the retention job keeps, and how much it removes at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Sent and dead outbox messages older than this are removed; `None` keeps them.
    pub outbox_age: Option<Duration>,
    /// Audit events older than this are removed; `None` keeps them.
    pub audit_age: Option<Duration>,
    /// Rows deleted by one statement: short transactions, short locks.
    pub batch_size: u32,
    /// Batches per table per round, so that one round ends; the next one goes on.
    pub max_batches: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            outbox_age: Some(Duration::from_secs(7 * 24 * 60 * 60)),
            audit_age: Some(Duration::from_secs(180 * 24 * 60 * 60)),
            batch_size: 500,
            max_batches: 100,
        }
    }
}
