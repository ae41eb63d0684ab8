//! Field readers that accept what both JSON clients and classic urlencoded
//! forms send: `"123456"` or `123456`, `true` or `"true"`.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a boolean")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Some(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Some(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Some(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Some(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Some(value.to_string()))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Some(value.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A text field; `null` reads as absent.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(TextVisitor)
}

/// A field of a PATCH: absent stays `None` (with `#[serde(default)]`), `null`
/// reads as `Some(None)` (clear it), a value as `Some(Some(..))`.
pub fn patch_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    text(deserializer).map(Some)
}

/// Whether a value is the affirmative `true` or `"true"`.
pub fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct Form {
        #[serde(default, deserialize_with = "text")]
        code: Option<String>,
        #[serde(default, deserialize_with = "text")]
        allow: Option<String>,
    }

    #[test]
    fn reads_json_strings_numbers_booleans_and_null() {
        let form: Form = serde_json::from_str(r#"{"code": 123456, "allow": true}"#).unwrap();
        assert_eq!((form.code.as_deref(), is_true(form.allow.as_deref())), (Some("123456"), true));
        let form: Form = serde_json::from_str(r#"{"code": "012345", "allow": "true"}"#).unwrap();
        assert_eq!((form.code.as_deref(), is_true(form.allow.as_deref())), (Some("012345"), true));
        let form: Form = serde_json::from_str(r#"{"code": null}"#).unwrap();
        assert_eq!((form.code, is_true(form.allow.as_deref())), (None, false));
        assert!(serde_json::from_str::<Form>(r#"{"code": [1]}"#).is_err());
    }

    #[test]
    fn reads_urlencoded_forms() {
        let form: Form = serde_urlencoded::from_str("code=123456&allow=true").unwrap();
        assert_eq!((form.code.as_deref(), is_true(form.allow.as_deref())), (Some("123456"), true));
        let form: Form = serde_urlencoded::from_str("allow=false").unwrap();
        assert!(!is_true(form.allow.as_deref()));
    }
}
