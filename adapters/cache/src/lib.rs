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

/// The counter of the limit under `key`.
pub(crate) fn rate_key(key: &str) -> String {
    format!("rate:{}", slot_tag(key))
}

/// How many places of the failure counter under `key` are held by checks
/// still in flight (its other hits are settled failures). A prefix of its own,
/// so that no typed name can make a counter's key collide with it.
pub(crate) fn held_key(key: &str) -> String {
    format!("held:{}", slot_tag(key))
}

/// `{key}`: a Redis Cluster hash tag, so that a counter and its held count,
/// which one script changes together, live in one slot. Braces in `key` (a
/// typed name may hold them) are escaped, so the tag is always the whole key
/// and two keys never share a tag unless they are equal.
fn slot_tag(key: &str) -> String {
    let mut tag = String::with_capacity(key.len() + 2);
    tag.push('{');
    for c in key.chars() {
        match c {
            '%' => tag.push_str("%25"),
            '{' => tag.push_str("%7B"),
            '}' => tag.push_str("%7D"),
            c => tag.push(c),
        }
    }
    tag.push('}');
    tag
}

pub(crate) fn session_key_key(identity: &IdentityKey) -> String {
    format!("session_key:{}:{}:{}", identity.provider.as_str(), identity.app_id, identity.openid)
}

#[cfg(test)]
mod tests {
    use super::{held_key, rate_key};

    #[test]
    fn a_counter_and_its_held_count_share_the_whole_key_as_their_tag() {
        assert_eq!(rate_key("login:name:alice"), "rate:{login:name:alice}");
        assert_eq!(held_key("login:name:alice"), "held:{login:name:alice}");
    }

    #[test]
    fn braces_in_a_typed_name_cannot_shorten_the_tag_or_make_two_keys_meet() {
        assert_eq!(rate_key("login:name:a}b"), "rate:{login:name:a%7Db}");
        assert_eq!(held_key("login:name:{x}"), "held:{login:name:%7Bx%7D}");
        assert_ne!(rate_key("login:name:%7D"), rate_key("login:name:}"));
    }
}
