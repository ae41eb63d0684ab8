//! The cache behind captchas, one-time codes and rate limits (Redis through fred, or in process), and the
//! account cache and taken-names filter that keep token checks and availability answers in memory, with the
//! news of account changes that keeps them current across instances.

pub mod account_cache;
pub mod account_changes;
pub mod memory;
mod patient_reservation;
pub mod redis;
pub mod taken_names;

pub use memory::MemoryCache;
pub use redis::{EvictionPolicy, RedisCache};

use application::ports::{CodeKey, IdentityKey};
use domain::CaptchaId;

/// Cache keys shared by every cache backend, so that they agree on layout.
pub(crate) fn captcha_key(id: &CaptchaId) -> String {
    format!("captcha:{id}")
}

pub(crate) fn code_key(key: &CodeKey) -> String {
    format!("code:{}:{}:{}", key.channel.as_str(), key.purpose.as_str(), key.target)
}

pub(crate) fn rate_key(key: &str) -> String {
    format!("rate:{key}")
}

/// How many places of the failure counter under `key` are held by checks
/// still in flight (its other hits are settled failures). A prefix of its own,
/// so that no typed name can make a counter's key collide with it.
pub(crate) fn held_key(key: &str) -> String {
    format!("held:{key}")
}

pub(crate) fn session_key_key(identity: &IdentityKey) -> String {
    format!("session_key:{}:{}:{}", identity.provider.as_str(), identity.app_id, identity.openid)
}
