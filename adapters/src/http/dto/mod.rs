//! Request and response bodies of the HTTP API, as documented in OpenAPI.

mod availability;
mod binding;
mod email_binding;
mod health;
pub(crate) mod lenient;
mod password_reset;
mod qq_login;
mod session;
mod user;
mod verification;
mod wechat_login;

pub use availability::{EmailCount, MobileCount, UsernameCount};
pub use binding::BindingResponse;
pub use email_binding::{EmailVerificationQuery, SetEmailBody, SetEmailResponse};
pub use health::{HealthStatus, Readiness};
pub use password_reset::{
    PasswordResetCaptchaQuery, PasswordResetCodeQuery, PasswordResetCodeResponse, PasswordResetStartResponse,
    ResetPasswordBody, ResetPasswordResponse, StepTokenQuery,
};
pub use qq_login::{
    QqAuthorizationQuery, QqAuthorizationResponse, QqBindRequest, QqBindResponse, QqCallbackQuery, QqCallbackResponse,
};
pub use session::{LoginRequest, LoginResponse, LogoutRequest, RefreshRequest, RefreshResponse};
pub use user::{ChangePasswordRequest, ProfilePatchRequest, RegisterRequest, RegisterResponse, UserResponse};
pub use verification::{DevOutboxResponse, EmailCodeQuery, MessageResponse, SmsCodeQuery};
pub use wechat_login::{MiniProgramLoginRequest, MiniProgramLoginResponse, MiniProgramPhoneRequest};
