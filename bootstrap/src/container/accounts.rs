//! Password login, and what a signed-in user changes on their account.

use std::sync::Arc;

use application::PasswordGuard;
use application::ports::Clock;
use application::use_cases::{ChangePassword, LogIn, UpdateProfile};
use storage::Database;

use super::account_records::AccountRecords;
use super::sessions::SessionIssuing;

pub(super) struct AccountUseCases {
    pub log_in: LogIn,
    pub update_profile: UpdateProfile,
    pub change_password: ChangePassword,
}

impl AccountUseCases {
    pub fn wire(
        database: &Database,
        records: &AccountRecords,
        clock: &Arc<dyn Clock>,
        issuing: &SessionIssuing,
        passwords: &PasswordGuard,
    ) -> Self {
        let users = &records.users;
        Self {
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
                records.password_changes.clone(),
                clock.clone(),
            ),
        }
    }
}
