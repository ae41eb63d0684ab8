//! Request and response bodies of the HTTP API, as documented in OpenAPI.

mod account_deletion;
mod availability;
mod binding;
mod dev_outbox;
mod email_binding;
mod health;
mod jwks;
pub(crate) mod lenient;
mod oauth_login;
mod password_reset;
mod personal_data;
mod session;
mod sign_in_history;
mod signed_in_session;
mod sms_login;
mod user;
mod verification;
mod wechat_login;

pub use account_deletion::{AccountDeletionRequest, AccountDeletionResponse};
pub use availability::{EmailCount, MobileCount, UsernameCount};
pub use binding::BindingResponse;
pub use dev_outbox::{DeliveryStatus, DevCaptcha, DevMessage, DevOutboxResponse};
pub use email_binding::{EmailVerificationQuery, SetEmailBody, SetEmailResponse};
pub use health::{HealthStatus, Readiness};
pub use jwks::{JwkSetResponse, PublicJwk};
pub use oauth_login::{
    OAuthAuthorizationQuery, OAuthAuthorizationResponse, OAuthBindRequest, OAuthBindResponse, OAuthCallbackQuery,
    OAuthCallbackResponse, OAuthStartQuery,
};
pub use password_reset::{
    PasswordResetCaptchaQuery, PasswordResetCodeQuery, PasswordResetCodeResponse, PasswordResetStartResponse,
    ResetPasswordBody, ResetPasswordResponse, StepTokenQuery,
};
pub use personal_data::{
    ExportedAccount, ExportedAuditEvent, ExportedBinding, ExportedProfile, ExportedSession, PersonalDataResponse,
};
pub use session::{LoginRequest, LoginResponse, LogoutRequest, RefreshRequest, RefreshResponse};
pub use sign_in_history::{SignInHistoryQuery, SignInResponse};
pub use signed_in_session::SignedInSessionResponse;
pub use sms_login::{SmsLoginRequest, SmsLoginResponse};
pub use user::{ChangePasswordRequest, ProfilePatchRequest, RegisterRequest, RegisterResponse, UserResponse};
pub use verification::{EmailCodeQuery, MessageResponse, SmsCodeQuery};
pub use wechat_login::{MiniProgramLoginRequest, MiniProgramLoginResponse, MiniProgramPhoneRequest};
