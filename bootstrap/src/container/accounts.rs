//! Password login, and what a signed-in user changes on their account.

use std::sync::Arc;

use application::PasswordGuard;
use application::ports::Clock;
use application::use_cases::{ChangePassword, ExportPersonalData, LogIn, UpdateProfile};
use http_api::AccountUseCases;
use storage::Database;

use super::account_records::AccountRecords;
use super::sessions::SessionIssuing;

pub(super) fn account_use_cases(
    database: &Database,
    records: &AccountRecords,
    clock: &Arc<dyn Clock>,
    issuing: &SessionIssuing,
    passwords: &PasswordGuard,
) -> AccountUseCases {
    let users = &records.users;
    AccountUseCases {
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
        export_personal_data: ExportPersonalData::new(
            users.clone(),
            records.identities.clone(),
            issuing.sessions.refresh_token_store(),
            database.audit_log(),
        ),
    }
}
