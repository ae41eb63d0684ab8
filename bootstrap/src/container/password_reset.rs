//! Finding a lost password: captcha, SMS code, code check, new password.

use std::sync::Arc;

use application::ports::{CaptchaStore, Clock};
use application::use_cases::{ConfirmPasswordResetCode, ResetPassword, SendPasswordResetSms, StartPasswordReset};
use application::{PasswordGuard, VerificationPolicy};
use http_api::PasswordResetUseCases;

use super::account_records::AccountRecords;
use super::verification::Verification;

pub(super) fn password_reset_use_cases(
    records: &AccountRecords,
    clock: &Arc<dyn Clock>,
    captchas: &Arc<dyn CaptchaStore>,
    verification: &Verification,
    passwords: &PasswordGuard,
    policy: VerificationPolicy,
) -> PasswordResetUseCases {
    let Verification { codes, flow_tokens } = verification;
    let users = &records.users;
    PasswordResetUseCases {
        start_password_reset: StartPasswordReset::new(
            users.clone(),
            captchas.clone(),
            flow_tokens.clone(),
            policy.clone(),
        ),
        send_password_reset_sms: SendPasswordResetSms::new(
            users.clone(),
            flow_tokens.clone(),
            codes.clone(),
            clock.clone(),
        ),
        confirm_password_reset_code: ConfirmPasswordResetCode::new(
            users.clone(),
            codes.clone(),
            flow_tokens.clone(),
            policy,
        ),
        reset_password: ResetPassword::new(
            users.clone(),
            passwords.clone(),
            flow_tokens.clone(),
            records.password_changes.clone(),
            clock.clone(),
        ),
    }
}
