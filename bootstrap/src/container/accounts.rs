//! Signing up, password login, and what a signed-in user changes on their account.

use std::sync::Arc;

use adapters::persistence::Database;
use application::ports::{Clock, UserRepository};
use application::use_cases::{ChangePassword, CheckAvailability, LogIn, RegisterUser, UpdateProfile};
use application::{AvailabilityPolicy, PasswordGuard};

use super::sessions::SessionIssuing;
use super::verification::Verification;

pub(super) struct AccountUseCases {
    pub check_availability: CheckAvailability,
    pub register_user: RegisterUser,
    pub log_in: LogIn,
    pub update_profile: UpdateProfile,
    pub change_password: ChangePassword,
}

impl AccountUseCases {
    pub fn wire(
        database: &Database,
        users: &Arc<dyn UserRepository>,
        clock: &Arc<dyn Clock>,
        verification: &Verification,
        issuing: &SessionIssuing,
        passwords: &PasswordGuard,
        availability: AvailabilityPolicy,
    ) -> Self {
        Self {
            check_availability: CheckAvailability::new(users.clone(), passwords.limiter.clone(), availability),
            register_user: RegisterUser::new(
                users.clone(),
                verification.codes.clone(),
                passwords.hasher.clone(),
                issuing.sessions.clone(),
                clock.clone(),
            ),
            log_in: LogIn::new(
                users.clone(),
                passwords.clone(),
                issuing.logins.clone(),
                database.audit_log(),
                clock.clone(),
            ),
            update_profile: UpdateProfile::new(users.clone(), clock.clone()),
            change_password: ChangePassword::new(
                users.clone(),
                passwords.clone(),
                database.password_changes(),
                clock.clone(),
            ),
        }
    }
}
