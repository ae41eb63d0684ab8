use std::fmt;

/// Why a captcha id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaIdError {
    #[error("image_code_id is required")]
    Empty,
    #[error("image_code_id must be a UUID")]
    Format,
}

/// The client-generated UUID under which a captcha's text is kept.
///
/// Only canonical UUIDs (`8-4-4-4-12` hex digits) are accepted, lower-cased, so
/// a client cannot use the captcha store as a general key-value store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaptchaId(String);

impl CaptchaId {
    /// What `parse` accepts, for the OpenAPI document: a UUID in its canonical groups.
    pub const PATTERN: &str = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";

    pub fn parse(raw: &str) -> Result<Self, CaptchaIdError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(CaptchaIdError::Empty);
        }
        let groups: Vec<&str> = raw.split('-').collect();
        let lengths = [8, 4, 4, 4, 12];
        let valid = groups.len() == lengths.len()
            && groups
                .iter()
                .zip(lengths)
                .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()));
        if valid { Ok(Self(raw.to_ascii_lowercase())) } else { Err(CaptchaIdError::Format) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaptchaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a typed captcha text was refused before any lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaTextError {
    #[error("captcha text is required")]
    Empty,
    #[error("captcha text must be 4 letters or digits")]
    Format,
}

/// The 4 characters shown in a captcha image; compared case-insensitively, so
/// it is kept upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptchaText(String);

impl CaptchaText {
    pub const LEN: usize = 4;
    /// What `parse` accepts, for the OpenAPI document.
    pub const PATTERN: &str = "^[A-Za-z0-9]{4}$";

    pub fn parse(raw: &str) -> Result<Self, CaptchaTextError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(CaptchaTextError::Empty);
        }
        if raw.chars().count() != Self::LEN || !raw.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CaptchaTextError::Format);
        }
        Ok(Self(raw.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captcha_ids_are_canonical_uuids() {
        let id = CaptchaId::parse("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
        assert_eq!(id.as_str(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
        assert_eq!(CaptchaId::parse(""), Err(CaptchaIdError::Empty));
        for bad in ["abc", "6f9619ff8b86d011b42d00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964fg", "../../etc"] {
            assert_eq!(CaptchaId::parse(bad), Err(CaptchaIdError::Format), "{bad}");
        }
    }

    #[test]
    fn captcha_text_is_case_insensitive() {
        assert_eq!(CaptchaText::parse("ab1Z").unwrap(), CaptchaText::parse("AB1z").unwrap());
        assert_eq!(CaptchaText::parse(""), Err(CaptchaTextError::Empty));
        assert_eq!(CaptchaText::parse("abc"), Err(CaptchaTextError::Format));
        assert_eq!(CaptchaText::parse("abcde"), Err(CaptchaTextError::Format));
        assert_eq!(CaptchaText::parse("ab c"), Err(CaptchaTextError::Format));
    }
}
