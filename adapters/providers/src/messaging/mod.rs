//! Outgoing messages: mail through SMTP, text messages through Alibaba Cloud or Tencent Cloud SMS, or, in
//! development, logged and kept for `/dev/outbox/`.

mod aliyun_sms;
mod channel_router;
mod dev_message_sender;
mod dev_outbox;
mod failover_sender;
mod mail_template;
mod recording_captcha_store;
mod recording_message_outbox;
mod smtp_message_sender;
mod smtp_settings;
mod smtp_setup_error;
mod tencent_sms;

pub use aliyun_sms::{AliyunSmsSender, AliyunSmsSettings, AliyunSmsSetupError};
pub use channel_router::ChannelRouter;
pub use dev_message_sender::DevMessageSender;
pub use dev_outbox::DevOutbox;
pub use failover_sender::FailoverSender;
pub use mail_template::MailTemplate;
pub use recording_captcha_store::RecordingCaptchaStore;
pub use recording_message_outbox::RecordingMessageOutbox;
pub use smtp_message_sender::SmtpMessageSender;
pub use smtp_settings::{SmtpSettings, SmtpTls};
pub use smtp_setup_error::SmtpSetupError;
pub use tencent_sms::{TencentSmsSender, TencentSmsSettings, TencentSmsSetupError};
