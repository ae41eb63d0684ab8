use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;
use utoipa::ToSchema;

/// A message the development adapters "sent".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DevMessage {
    /// `sms` or `email`.
    #[schema(example = "sms")]
    pub channel: String,
    #[schema(example = "13800138000")]
    pub to: String,
    #[schema(example = "register")]
    pub purpose: String,
    #[schema(example = "123456")]
    pub code: Option<String>,
    /// The verification link of an email-binding mail.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A captcha drawn in development mode, with its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DevCaptcha {
    #[schema(example = "6f9619ff-8b86-d011-b42d-00c04fc964ff")]
    pub id: String,
    #[schema(example = "AB12")]
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// The last messages and captchas of the development adapters, newest first,
/// so a frontend developer or an end-to-end test can register without an SMS
/// provider or reading the picture. Bounded: old entries fall off.
pub struct DevOutbox {
    messages: Mutex<VecDeque<DevMessage>>,
    captchas: Mutex<VecDeque<DevCaptcha>>,
    keep: usize,
}

impl DevOutbox {
    pub const DEFAULT_KEEP: usize = 100;

    pub fn new(keep: usize) -> Self {
        Self { messages: Mutex::default(), captchas: Mutex::default(), keep: keep.max(1) }
    }

    pub fn record_message(&self, message: DevMessage) {
        push_front_bounded(&mut self.messages.lock(), message, self.keep);
    }

    pub fn record_captcha(&self, captcha: DevCaptcha) {
        push_front_bounded(&mut self.captchas.lock(), captcha, self.keep);
    }

    pub fn messages(&self) -> Vec<DevMessage> {
        self.messages.lock().iter().cloned().collect()
    }

    pub fn captchas(&self) -> Vec<DevCaptcha> {
        self.captchas.lock().iter().cloned().collect()
    }
}

fn push_front_bounded<T>(queue: &mut VecDeque<T>, item: T, keep: usize) {
    queue.push_front(item);
    queue.truncate(keep);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_first_and_forgets_the_oldest() {
        let outbox = DevOutbox::new(2);
        for id in ["a", "b", "c"] {
            outbox.record_captcha(DevCaptcha { id: id.into(), text: "AB12".into(), created_at: Utc::now() });
        }
        assert_eq!(outbox.captchas().iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["c", "b"]);
    }
}
