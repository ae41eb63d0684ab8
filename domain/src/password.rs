use std::fmt;

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is required")]
    Empty,
    #[error("password must be 8 to 20 characters long")]
    Length,
}

/// A new password that meets the policy (8–20 characters).
///
/// The text never appears in `Debug` output, so a password cannot leak into a
/// log line through a derived `Debug` of a struct that holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 20;

    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        if raw.is_empty() {
            return Err(PasswordError::Empty);
        }
        let len = raw.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(PasswordError::Length);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_length_in_characters() {
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(20)).is_ok());
        assert!(Password::parse("密码密码密码密码").is_ok());
        assert_eq!(Password::parse(""), Err(PasswordError::Empty));
        assert_eq!(Password::parse("1234567"), Err(PasswordError::Length));
        assert_eq!(Password::parse(&"x".repeat(21)), Err(PasswordError::Length));
    }

    #[test]
    fn debug_hides_the_text() {
        let password = Password::parse("s3cret-pass").unwrap();
        assert!(!format!("{password:?}").contains("s3cret"));
    }
}
