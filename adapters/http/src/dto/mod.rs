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
mod session;
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
pub use session::{LoginRequest, LoginResponse, LogoutRequest, RefreshRequest, RefreshResponse};
pub use user::{ChangePasswordRequest, ProfilePatchRequest, RegisterRequest, RegisterResponse, UserResponse};
pub use verification::{EmailCodeQuery, MessageResponse, SmsCodeQuery};
pub use wechat_login::{MiniProgramLoginRequest, MiniProgramLoginResponse, MiniProgramPhoneRequest};
