//! The limits and lifetimes of the use cases, read from the configuration in one place.

use application::{AvailabilityPolicy, LoginPolicy, SessionPolicy, VerificationPolicy};
use application::{DeliveryPolicy, RetentionPolicy};

use crate::config::Config;
use crate::server::StartError;

pub(super) struct Policies {
    pub availability: AvailabilityPolicy,
    pub verification: VerificationPolicy,
    pub login: LoginPolicy,
    pub session: SessionPolicy,
    pub delivery: DeliveryPolicy,
    pub retention: RetentionPolicy,
}

impl Policies {
    pub fn read(config: &Config) -> Result<Self, StartError> {
        Ok(Self {
            availability: AvailabilityPolicy { per_ip_per_minute: config.availability_ip_per_minute },
            verification: verification_policy(config)?,
            login: LoginPolicy {
                account_failures: config.login_account_failures,
                account_window: config.login_account_window_secs,
                ip_failures: config.login_ip_failures,
                ip_window: config.login_ip_window_secs,
                in_flight_patience: config.login_in_flight_wait_ms,
            },
            session: SessionPolicy {
                refresh_lifetime: config.refresh_token_lifetime_secs,
                reuse_grace: config.refresh_reuse_grace_secs,
            },
            delivery: DeliveryPolicy {
                max_attempts: config.outbox_max_attempts,
                first_backoff: config.outbox_first_backoff_ms,
                ..DeliveryPolicy::default()
            },
            retention: RetentionPolicy {
                outbox_age: config.outbox_retention_days,
                audit_age: config.audit_retention_days,
                ..RetentionPolicy::default()
            },
        })
    }
}

fn verification_policy(config: &Config) -> Result<VerificationPolicy, StartError> {
    Ok(VerificationPolicy {
        captcha_ttl: config.captcha_ttl_secs,
        captcha_per_ip_per_minute: config.captcha_ip_per_minute,
        code_ttl: config.code_ttl_secs,
        resend_interval: config.code_resend_interval_secs,
        per_target_daily: config.code_daily_limit,
        per_ip_hourly: config.code_ip_hourly_limit,
        max_attempts: config.code_max_attempts,
        step_token_ttl: config.password_reset_token_ttl_secs,
        email_link_ttl: config.email_verification_ttl_secs,
        sms_fixed_codes: config.sms_fixed_code_targets()?,
        email_fixed_codes: config.email_fixed_code_targets()?,
    })
}
