use std::net::IpAddr;
use std::time::Duration;

use domain::UserId;

use crate::ports::RateLimit;
use crate::{ClientNetwork, TestTargets};

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
    pub sms_test_numbers: TestTargets,
    /// Email addresses that get a fixed code, no mail and no send limits.
    pub email_test_addresses: TestTargets,
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
            sms_test_numbers: TestTargets::default(),
            email_test_addresses: TestTargets::default(),
        }
    }
}

/// How often one client may ask whether a username, mobile or email is taken
/// (the answer enumerates accounts, so it is rationed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityPolicy {
    pub per_ip_per_minute: u32,
}

impl Default for AvailabilityPolicy {
    fn default() -> Self {
        Self { per_ip_per_minute: 60 }
    }
}

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

/// How long sessions last and how a replayed refresh token is told from two
/// tabs refreshing at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Lifetime of each refresh token (a rotation issues a successor with a full lifetime).
    pub refresh_lifetime: Duration,
    /// How long a rotated refresh token may still be exchanged.
    pub reuse_grace: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { refresh_lifetime: Duration::from_secs(14 * 24 * 60 * 60), reuse_grace: Duration::from_secs(10) }
    }
}

/// Third-party login: how long a login may take between leaving for the
/// provider and coming back, and how long an unbound identity may take to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthPolicy {
    pub state_ttl: Duration,
    pub bind_ttl: Duration,
    /// How long a WeChat `session_key` is kept; a new `wx.login` replaces it sooner.
    pub session_key_ttl: Duration,
}

impl Default for OAuthPolicy {
    fn default() -> Self {
        Self {
            state_ttl: Duration::from_secs(600),
            bind_ttl: Duration::from_secs(600),
            session_key_ttl: Duration::from_secs(3 * 24 * 60 * 60),
        }
    }
}
