//! One file per use case. Each takes its ports as `Arc<dyn Port>` and exposes
//! one `execute`-style entry point.

mod authenticate;
mod bind_mini_program_phone;
mod bind_oauth_identity;
mod change_password;
mod check_availability;
mod check_readiness;
mod complete_oauth_login;
mod confirm_password_reset_code;
mod deliver_messages;
mod depart_oauth_login;
mod end_session;
mod export_personal_data;
mod issue_captcha;
mod list_sessions;
mod list_sign_ins;
pub(crate) mod log_in;
mod log_in_with_mini_program;
mod log_in_with_sms;
mod log_out;
mod manage_bindings;
mod purge_expired_data;
mod refresh_session;
mod register_user;
mod request_account_deletion;
mod reset_password;
mod revoke_all_sessions;
mod send_email_code;
mod send_password_reset_sms;
mod send_sms_code;
mod set_email;
mod start_oauth_login;
mod start_password_reset;
mod update_profile;
mod verify_email;

pub use authenticate::{Authenticate, Authenticated};
pub use bind_mini_program_phone::BindMiniProgramPhone;
pub use bind_oauth_identity::{BindOAuthIdentity, BindOAuthIdentityRequest};
pub use change_password::{ChangePassword, ChangePasswordRequest};
pub use check_availability::{Availability, CheckAvailability};
pub use check_readiness::{CheckReadiness, Readiness};
pub use complete_oauth_login::{CompleteOAuthLogin, CompleteOAuthLoginRequest, OAuthLoginOutcome};
pub use confirm_password_reset_code::{
    ConfirmPasswordResetCode, ConfirmPasswordResetCodeRequest, PasswordResetCodeConfirmed,
};
pub use deliver_messages::{DeliverMessages, DeliveryReport};
pub use depart_oauth_login::{DepartOAuthLogin, OAuthDeparture};
pub use end_session::EndSession;
pub use export_personal_data::{EXPORTED_AUDIT_ENTRIES, ExportPersonalData, PersonalData};
pub use issue_captcha::IssueCaptcha;
pub use list_sessions::{ListSessions, SessionView, UNKNOWN_DEVICE};
pub use list_sign_ins::{ListSignIns, SIGN_INS_DEFAULT, SIGN_INS_MAX, SignInView};
pub use log_in::{LogIn, LogInRequest};
pub use log_in_with_mini_program::{LogInWithMiniProgram, MiniProgramLogInRequest, MiniProgramLoggedIn};
pub use log_in_with_sms::{LogInWithSms, SmsLogInRequest, SmsLoggedIn};
pub use log_out::LogOut;
pub use manage_bindings::{Binding, ManageBindings};
pub use purge_expired_data::{PurgeExpiredData, RetentionReport};
pub use refresh_session::RefreshSession;
pub use register_user::{RegisterUser, RegisterUserRequest, Registered};
pub use request_account_deletion::{
    RECENT_SIGN_IN, RequestAccountDeletion, RequestAccountDeletionRequest, SessionStores,
};
pub use reset_password::{ResetPassword, ResetPasswordRequest};
pub use revoke_all_sessions::RevokeAllSessions;
pub use send_email_code::{SendEmailCode, SendEmailCodeRequest};
pub use send_password_reset_sms::SendPasswordResetSms;
pub use send_sms_code::{SendSmsCode, SendSmsCodeRequest};
pub use set_email::{SetEmail, SetEmailRequest};
pub use start_oauth_login::StartOAuthLogin;
pub use start_password_reset::{PasswordResetStarted, StartPasswordReset, StartPasswordResetRequest};
pub use update_profile::{ProfilePatch, UpdateProfile};
pub use verify_email::VerifyEmail;
