//! Password and SMS login, and what a signed-in user changes on their account.

use std::sync::Arc;

use application::PasswordGuard;
use application::ports::Clock;
use application::use_cases::{
    ChangePassword, ExportPersonalData, LogIn, LogInWithSms, RequestAccountDeletion, SessionStores, UpdateProfile,
};
use http_api::AccountUseCases;
use security::system::RandomCodeGenerator;
use storage::Database;

use super::account_records::AccountRecords;
use super::sessions::SessionIssuing;
use super::verification::Verification;
use crate::config::Config;

pub(super) fn account_use_cases(
    config: &Config,
    database: &Database,
    records: &AccountRecords,
    clock: &Arc<dyn Clock>,
    issuing: &SessionIssuing,
    passwords: &PasswordGuard,
    verification: &Verification,
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
        log_in_with_sms: LogInWithSms::new(
            users.clone(),
            verification.codes.clone(),
            Arc::new(RandomCodeGenerator),
            issuing.logins.clone(),
            passwords,
            database.audit_log(),
            clock.clone(),
        )
        .signing_up(config.sms_login_signup),
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
            clock.clone(),
        ),
        request_deletion: RequestAccountDeletion::new(
            users.clone(),
            records.deletions.clone(),
            passwords.clone(),
            verification.codes.clone(),
            SessionStores { refresh: issuing.sessions.refresh_token_store(), revocations: records.revocations.clone() },
            database.audit_log(),
            clock.clone(),
            config.account_deletion_cooling_off_secs,
        ),
    }
}
