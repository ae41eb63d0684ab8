use application::ports::Clock;
use chrono::{DateTime, Utc};

/// Wall-clock time, truncated to whole microseconds so a stored and reloaded
/// timestamp compares equal on every backend.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
    }
}
