//! Outgoing messages. In development they are logged and kept for `/dev/outbox/`.

mod dev_message_sender;
mod dev_outbox;
mod recording_captcha_store;

pub use dev_message_sender::DevMessageSender;
pub use dev_outbox::{DevCaptcha, DevMessage, DevOutbox};
pub use recording_captcha_store::RecordingCaptchaStore;
