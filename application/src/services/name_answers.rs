//! The allowance of answers that tell one client whether a username, mobile or
//! email is taken: the availability checks and registration draw on the same one.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::ports::{RateDecision, RateLimit, RateLimiter};
use crate::{AppError, AvailabilityPolicy, ClientNetwork};

pub struct NameAnswers {
    limiter: Arc<dyn RateLimiter>,
    policy: AvailabilityPolicy,
}

impl NameAnswers {
    pub fn new(limiter: Arc<dyn RateLimiter>, policy: AvailabilityPolicy) -> Self {
        Self { limiter, policy }
    }

    /// Counts one answer against the client's allowance, in one atomic step;
    /// `Limited` (nothing counted) once it is used up for this minute.
    pub async fn take(&self, client_ip: IpAddr) -> Result<RateDecision, AppError> {
        let limit = RateLimit::new(
            format!("availability:ip:{}", ClientNetwork::of(client_ip)),
            self.policy.per_ip_per_minute,
            Duration::from_secs(60),
        );
        Ok(self.limiter.acquire(&[limit]).await?)
    }
}
