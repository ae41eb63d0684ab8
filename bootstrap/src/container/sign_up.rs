//! Signing up: checking a name is free, and registering with a code.

use std::sync::Arc;

use application::ports::{Clock, PasswordHasher, RateLimiter};
use application::use_cases::{CheckAvailability, RegisterUser};
use application::{AvailabilityPolicy, NameAnswers};
use http_api::SignUpUseCases;

use super::account_records::AccountRecords;
use super::sessions::SessionIssuing;
use super::verification::Verification;

pub(super) fn sign_up_use_cases(
    records: &AccountRecords,
    clock: &Arc<dyn Clock>,
    limiter: &Arc<dyn RateLimiter>,
    hasher: &Arc<dyn PasswordHasher>,
    verification: &Verification,
    issuing: &SessionIssuing,
    availability: AvailabilityPolicy,
) -> SignUpUseCases {
    SignUpUseCases {
        check_availability: CheckAvailability::new(records.users.clone(), limiter.clone(), availability.clone()),
        register_user: RegisterUser::new(
            records.users.clone(),
            NameAnswers::new(limiter.clone(), availability.clone()),
            records.registrations.clone(),
            verification.codes.clone(),
            hasher.clone(),
            issuing.sessions.clone(),
            clock.clone(),
        ),
    }
}
