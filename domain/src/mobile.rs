use std::fmt;

/// Why a mobile number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("mobile is required")]
    Empty,
    #[error("not a mainland China mobile number")]
    Format,
}

/// A mainland China mobile number, normalised to 11 digits (`^1[3-9]\d{9}$`).
///
/// Input such as `+86 138-0013-8000` or `0086 13800138000` is normalised
/// before the check, so every lookup and uniqueness test sees one spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// The plain spellings `parse` accepts (it also takes spaces and hyphens), for the OpenAPI document.
    pub const PATTERN: &str = r"^(\+86|0086)?1[3-9][0-9]{9}$";

    pub fn parse(raw: &str) -> Result<Self, MobileError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if compact.is_empty() {
            return Err(MobileError::Empty);
        }
        let national = compact.strip_prefix("+86").or_else(|| compact.strip_prefix("0086")).unwrap_or(&compact);
        let bytes = national.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if valid { Ok(Self(national.to_owned())) } else { Err(MobileError::Format) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: what may be shown to somebody who has not proven they own it.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_prefixes_spaces_and_hyphens() {
        for raw in ["13800138000", "+86 138-0013-8000", "+8613800138000", "0086 13800138000", " 138 0013 8000 "] {
            assert_eq!(Mobile::parse(raw).unwrap().as_str(), "13800138000", "{raw}");
        }
    }

    #[test]
    fn refuses_numbers_outside_the_plan() {
        assert_eq!(Mobile::parse(""), Err(MobileError::Empty));
        assert_eq!(Mobile::parse(" - "), Err(MobileError::Empty));
        for bad in ["12800138000", "1380013800", "138001380001", "2380013800a", "+1 13800138000", "1380013800x"] {
            assert_eq!(Mobile::parse(bad), Err(MobileError::Format), "{bad}");
        }
    }

    #[test]
    fn masks_the_middle_digits() {
        assert_eq!(Mobile::parse("13812345678").unwrap().masked(), "138****5678");
    }
}
