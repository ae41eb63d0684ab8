use std::fmt;

/// Why a chosen username was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("username is required")]
    Empty,
    #[error("username must be 5 to 20 characters long")]
    Length,
    #[error("username may only contain letters, digits, '_' and '-'")]
    Charset,
    #[error("username must not be all digits")]
    AllDigits,
}

/// A username chosen by a person: 5–20 of `[A-Za-z0-9_-]`, not all digits.
///
/// All-digit names are refused because login accepts a username or a mobile
/// in the same field; a numeric username would shadow somebody's mobile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 5;
    pub const MAX_LEN: usize = 20;
    /// What `parse` accepts, as an ECMA-262 pattern for the OpenAPI document (with
    /// `MIN_LEN`/`MAX_LEN` as its lengths): the charset, and at least one character that is not a digit.
    pub const PATTERN: &str = "^[A-Za-z0-9_-]*[A-Za-z_-][A-Za-z0-9_-]*$";

    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UsernameError::Empty);
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(UsernameError::Charset);
        }
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len()) {
            return Err(UsernameError::Length);
        }
        if raw.chars().all(|c| c.is_ascii_digit()) {
            return Err(UsernameError::AllDigits);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_within_the_rules() {
        for ok in ["alice", "bob_99", "a-b-c-d", "ABCDEfghij0123456789", "12ab3"] {
            assert_eq!(Username::parse(ok).map(|u| u.as_str().to_owned()), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(Username::parse("  alice ").unwrap().as_str(), "alice");
    }

    #[test]
    fn refuses_each_broken_rule() {
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse("   "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("abcd"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"a".repeat(21)), Err(UsernameError::Length));
        assert_eq!(Username::parse("alice!"), Err(UsernameError::Charset));
        assert_eq!(Username::parse("ali ce"), Err(UsernameError::Charset));
        assert_eq!(Username::parse("用户名用户名"), Err(UsernameError::Charset));
        assert_eq!(Username::parse("13800138000"), Err(UsernameError::AllDigits));
    }
}
