//! Verification codes by text message through Tencent Cloud SMS (API 3.0, `SendSms`
//! version 2021-01-11, TC3-HMAC-SHA256 signatures).

mod error_codes;
mod send_sms_request;
mod send_sms_response;
mod sender;
mod settings;
mod setup_error;
mod signing;

pub use sender::TencentSmsSender;
pub use settings::TencentSmsSettings;
pub use setup_error::TencentSmsSetupError;
