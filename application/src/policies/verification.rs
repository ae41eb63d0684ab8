use std::net::IpAddr;
use std::time::Duration;

use crate::ports::RateLimit;

use super::{ClientNetwork, FixedCodeTargets};

/// The limits on captchas and one-time codes; every one is configuration, and
/// a count of 0 turns that limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationPolicy {
    pub captcha_ttl: Duration,
    /// Captchas drawn per client network per minute.
    pub captcha_per_ip_per_minute: u32,
    pub code_ttl: Duration,
    pub resend_interval: Duration,
    pub per_target_daily: u32,
    pub per_ip_hourly: u32,
    pub max_attempts: u32,
    /// Lifetime of each find-password step token.
    pub step_token_ttl: Duration,
    /// Lifetime of an email verification link.
    pub email_link_ttl: Duration,
    /// Mobiles that get a fixed code, no SMS and no send limits.
    pub sms_fixed_codes: FixedCodeTargets,
    /// Email addresses that get a fixed code, no mail and no send limits.
    pub email_fixed_codes: FixedCodeTargets,
}

impl VerificationPolicy {
    /// The per-client limit on drawing captchas: each one costs CPU and a cache entry.
    pub fn captcha_limit(&self, ip: IpAddr) -> RateLimit {
        RateLimit::new(
            format!("captcha:ip:{}", ClientNetwork::of(ip)),
            self.captcha_per_ip_per_minute,
            Duration::from_secs(60),
        )
    }
}

impl Default for VerificationPolicy {
    fn default() -> Self {
        Self {
            captcha_ttl: Duration::from_secs(300),
            captcha_per_ip_per_minute: 30,
            code_ttl: Duration::from_secs(300),
            resend_interval: Duration::from_secs(60),
            per_target_daily: 10,
            per_ip_hourly: 20,
            max_attempts: 5,
            step_token_ttl: Duration::from_secs(300),
            email_link_ttl: Duration::from_secs(24 * 60 * 60),
            sms_fixed_codes: FixedCodeTargets::default(),
            email_fixed_codes: FixedCodeTargets::default(),
        }
    }
}
