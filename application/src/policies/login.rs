use std::net::IpAddr;
use std::time::Duration;

use domain::UserId;

use crate::ports::RateLimit;

use super::ClientNetwork;

/// Password-guessing defence: failures per account and per client IP within a
/// window lock password login for that window. A count of 0 turns a limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPolicy {
    pub account_failures: u32,
    pub account_window: Duration,
    pub ip_failures: u32,
    pub ip_window: Duration,
}

impl LoginPolicy {
    /// The failure counter of an existing account: shared by its username,
    /// mobile and email, and by wrong current passwords in a password change.
    pub fn account_limit_for_user(&self, user: UserId) -> RateLimit {
        self.account_limit(format!("login:user:{}", user.0))
    }

    /// The failure counter under an account key (an unknown name's own key).
    pub fn account_limit(&self, key: String) -> RateLimit {
        RateLimit::new(key, self.account_failures, self.account_window)
    }

    pub fn ip_limit(&self, ip: IpAddr) -> RateLimit {
        RateLimit::new(format!("login:ip:{}", ClientNetwork::of(ip)), self.ip_failures, self.ip_window)
    }
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            account_failures: 5,
            account_window: Duration::from_secs(15 * 60),
            ip_failures: 30,
            ip_window: Duration::from_secs(10 * 60),
        }
    }
}
