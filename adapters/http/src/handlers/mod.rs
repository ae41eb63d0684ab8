//! Thin handlers: parse the request, call one use case, map the result.

pub mod account_deletion;
pub mod availability;
pub mod bindings;
pub mod dev_outbox;
pub mod email_binding;
pub mod health;
pub mod jwks;
pub mod metrics;
mod oauth_login;
pub mod password_reset;
pub mod personal_data;
pub mod qq_login;
pub mod sessions;
pub mod sign_in_history;
pub mod signed_in_sessions;
pub mod sms_login;
pub mod users;
pub mod verification;
pub mod wechat_login;
pub mod wechat_web_login;
