use std::time::Duration;

/// How long a logged-out access token's revocation is kept after the token's own expiry.
///
/// An expired token fails on its own, but "expired" is judged by each instance's clock, and
/// the token's `exp` is whole seconds while revocations expire to the millisecond: a
/// revocation deleted the moment its token expires could let the logged-out token through
/// again for up to a second, more on an instance whose clock runs behind the one that
/// deleted it. A minute covers that second and up to 59 s of skew between the instances'
/// clocks (NTP keeps them within milliseconds); tokens themselves get no leeway.
pub const REVOCATION_RETENTION_MARGIN: Duration = Duration::from_secs(60);

/// How long the account-change log keeps a row. Every instance reads it every 200 ms and
/// stops answering from memory after a second without a complete read, so an hour leaves
/// room for any pause; an instance away longer starts over from the end of the log with
/// an empty memory anyway.
pub const ACCOUNT_CHANGE_LOG_AGE: Duration = Duration::from_secs(60 * 60);

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
