//! Request and response bodies of the HTTP API, as documented in OpenAPI.

mod availability;
mod health;
pub(crate) mod lenient;
mod session;
mod user;
mod verification;

pub use availability::{EmailCount, MobileCount, UsernameCount};
pub use health::{HealthStatus, Readiness};
pub use session::{LoginRequest, LoginResponse, LogoutRequest, RefreshRequest, RefreshResponse};
pub use user::{ChangePasswordRequest, ProfilePatchRequest, RegisterRequest, RegisterResponse, UserResponse};
pub use verification::{DevOutboxResponse, EmailCodeQuery, MessageResponse, SmsCodeQuery};
