//! How a secret setting is serialised: never as its value.

use secrecy::SecretString;
use serde::Serializer;

/// What a set secret serialises to.
pub const MASK: &str = "***";

/// `***` when set, nothing when not: the configuration table and anything else that
/// serialises the configuration never carry a secret.
#[allow(clippy::ref_option, reason = "serde's serialize_with hands the field by reference")]
pub fn serialize<S: Serializer>(value: &Option<SecretString>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => serializer.serialize_str(MASK),
        None => serializer.serialize_none(),
    }
}
