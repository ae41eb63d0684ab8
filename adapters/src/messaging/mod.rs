//! Outgoing messages: by text message through Tencent Cloud SMS, or, in development,
//! logged and kept for `/dev/outbox/`.

mod dev_message_sender;
mod dev_outbox;
mod recording_captcha_store;
mod tencent_sms;

pub use dev_message_sender::DevMessageSender;
pub use dev_outbox::{DevCaptcha, DevMessage, DevOutbox};
pub use recording_captcha_store::RecordingCaptchaStore;
pub use tencent_sms::{TencentSmsSender, TencentSmsSettings, TencentSmsSetupError};
