//! Setting an account's email and verifying it through the mailed link.

use std::sync::Arc;

use application::VerificationPolicy;
use application::ports::Clock;
use application::use_cases::{SetEmail, VerifyEmail};
use http_api::EmailUseCases;
use storage::Database;

use super::account_records::AccountRecords;
use super::verification::Verification;
use crate::config::Config;

pub(super) fn email_use_cases(
    config: &Config,
    database: &Database,
    records: &AccountRecords,
    clock: &Arc<dyn Clock>,
    verification: &Verification,
    policy: VerificationPolicy,
) -> EmailUseCases {
    let users = &records.users;
    EmailUseCases {
        set_email: SetEmail::new(
            users.clone(),
            records.email_changes.clone(),
            verification.codes.clone(),
            verification.flow_tokens.clone(),
            clock.clone(),
            policy,
            config.email_verification_url.clone(),
        ),
        verify_email: VerifyEmail::new(
            users.clone(),
            verification.flow_tokens.clone(),
            database.audit_log(),
            clock.clone(),
        ),
    }
}
