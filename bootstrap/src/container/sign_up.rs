//! Signing up: checking a name is free, and registering with a code.

use std::sync::Arc;

use application::ports::{Clock, PasswordHasher, RateLimiter};
use application::use_cases::{CheckAvailability, RegisterUser};
use application::{AvailabilityPolicy, NameAnswers};

use super::account_records::AccountRecords;
use super::sessions::SessionIssuing;
use super::verification::Verification;

pub(super) struct SignUpUseCases {
    pub check_availability: CheckAvailability,
    pub register_user: RegisterUser,
}

impl SignUpUseCases {
    pub fn wire(
        records: &AccountRecords,
        clock: &Arc<dyn Clock>,
        limiter: &Arc<dyn RateLimiter>,
        hasher: &Arc<dyn PasswordHasher>,
        verification: &Verification,
        issuing: &SessionIssuing,
        availability: AvailabilityPolicy,
    ) -> Self {
        Self {
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
}
