//! Verification codes by text message through Alibaba Cloud SMS (dysmsapi `SendSms`,
//! version 2017-05-25, ACS3-HMAC-SHA256 signatures).

mod error_codes;
mod send_sms_response;
mod sender;
mod settings;
mod setup_error;
mod signing;

pub use sender::AliyunSmsSender;
pub use settings::AliyunSmsSettings;
pub use setup_error::AliyunSmsSetupError;
