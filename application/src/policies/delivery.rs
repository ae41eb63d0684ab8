use std::time::Duration;

/// How queued messages are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Attempts before a message is marked dead.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Messages claimed per round.
    pub batch_size: u32,
    /// How long a claimed message stays with its worker before another may take it.
    pub lease: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            batch_size: 16,
            lease: Duration::from_secs(60),
        }
    }
}

impl DeliveryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        self.first_backoff.saturating_mul(1 << doublings).min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = DeliveryPolicy::default();
        let waits: Vec<u64> = (1..=4).map(|n| policy.backoff(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16]);
        assert_eq!(policy.backoff(30), Duration::from_secs(300));
    }
}
