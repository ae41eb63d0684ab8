use std::sync::Arc;

use application::AppError;
use application::ports::DevOutboxView;
use application::use_cases::{
    Authenticate, BindMiniProgramPhone, BindOAuthIdentity, ChangePassword, CheckAvailability, CheckReadiness,
    CompleteOAuthLogin, ConfirmPasswordResetCode, DepartOAuthLogin, EndSession, ExportPersonalData, IssueCaptcha,
    ListSessions, ListSignIns, LogIn, LogInWithMiniProgram, LogInWithSms, LogOut, ManageBindings, RefreshSession,
    RegisterUser, RequestAccountDeletion, ResetPassword, RevokeAllSessions, SendEmailCode, SendPasswordResetSms,
    SendSmsCode, SetEmail, StartOAuthLogin, StartPasswordReset, UpdateProfile, VerifyEmail,
};
use salvo::prelude::Depot;

use super::api_error::ApiError;
use super::client_ip::ClientIpResolver;
use super::dto::JwkSetResponse;
use super::metrics_endpoint::MetricsEndpoint;
use super::oauth_flow_cookie::OAuthFlowCookie;

/// The use cases of one provider's website login (QQ Connect, the WeChat QR
/// login), present only when that provider is configured.
pub struct OAuthLogin {
    pub start: StartOAuthLogin,
    /// The hop that binds the login to the browser.
    pub depart: DepartOAuthLogin,
    pub complete: CompleteOAuthLogin,
    pub bind: BindOAuthIdentity,
    pub cookie: OAuthFlowCookie,
}

/// Signing up: is a name free, and the registration itself.
pub struct SignUpUseCases {
    pub check_availability: CheckAvailability,
    pub register_user: RegisterUser,
}

/// Captchas and the one-time codes sent by SMS and mail.
pub struct CodeUseCases {
    pub issue_captcha: IssueCaptcha,
    pub send_sms_code: SendSmsCode,
    pub send_email_code: SendEmailCode,
}

/// Access tokens checked, refresh tokens rotated, sessions ended.
pub struct SessionUseCases {
    pub authenticate: Authenticate,
    pub log_out: LogOut,
    pub refresh_session: RefreshSession,
    pub revoke_all_sessions: RevokeAllSessions,
    pub list_sessions: ListSessions,
    pub end_session: EndSession,
    pub list_sign_ins: ListSignIns,
}

/// Password and SMS login, and the signed-in user's own account.
pub struct AccountUseCases {
    pub log_in: LogIn,
    pub log_in_with_sms: LogInWithSms,
    pub update_profile: UpdateProfile,
    pub change_password: ChangePassword,
    pub export_personal_data: ExportPersonalData,
    pub request_deletion: RequestAccountDeletion,
}

/// Binding an email address and verifying it.
pub struct EmailUseCases {
    pub set_email: SetEmail,
    pub verify_email: VerifyEmail,
}

/// The four steps of finding a forgotten password.
pub struct PasswordResetUseCases {
    pub start_password_reset: StartPasswordReset,
    pub send_password_reset_sms: SendPasswordResetSms,
    pub confirm_password_reset_code: ConfirmPasswordResetCode,
    pub reset_password: ResetPassword,
}

/// QQ and WeChat: each login present only when its provider is configured.
pub struct OAuthUseCases {
    pub qq_login: Option<OAuthLogin>,
    /// Present only when the WeChat website app is configured.
    pub wechat_web_login: Option<OAuthLogin>,
    pub manage_bindings: ManageBindings,
    /// Present only when the WeChat mini-program is configured.
    pub mini_program_login: Option<LogInWithMiniProgram>,
    pub mini_program_phone: Option<BindMiniProgramPhone>,
}

/// What the handlers need: the use cases by area, and the HTTP settings.
pub struct ApiState {
    pub sign_up: SignUpUseCases,
    pub codes: CodeUseCases,
    pub sessions: SessionUseCases,
    pub accounts: AccountUseCases,
    pub email: EmailUseCases,
    pub password_reset: PasswordResetUseCases,
    pub oauth: OAuthUseCases,
    pub check_readiness: CheckReadiness,
    /// Present only while the development message adapters are in use.
    pub dev_outbox: Option<Arc<dyn DevOutboxView>>,
    pub client_ip: ClientIpResolver,
    pub max_body_bytes: usize,
    pub metrics: MetricsEndpoint,
    /// The public keys of access tokens; `None` while they are HS256.
    pub jwks: Option<JwkSetResponse>,
}

impl ApiState {
    pub fn from_depot(depot: &Depot) -> Result<Arc<Self>, ApiError> {
        depot
            .get_typed::<Arc<Self>>()
            .cloned()
            .map_err(|_| ApiError::App(AppError::Internal("ApiState is not in the depot".into())))
    }
}
