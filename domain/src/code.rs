use std::fmt;

/// Why a submitted verification code was refused before any lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("code is required")]
    Empty,
    #[error("code must be 6 digits")]
    Format,
}

/// A 6-digit one-time code sent by SMS or mail.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

/// The code sent by SMS.
pub type SmsCode = VerificationCode;
/// The code sent by mail.
pub type EmailCode = VerificationCode;

impl VerificationCode {
    pub const LEN: usize = 6;
    /// What `parse` accepts, for the OpenAPI document.
    pub const PATTERN: &str = "^[0-9]{6}$";

    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(CodeError::Empty);
        }
        if raw.len() != Self::LEN || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Format);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationCode(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_only() {
        assert_eq!(VerificationCode::parse(" 012345 ").unwrap().expose(), "012345");
        assert_eq!(VerificationCode::parse(""), Err(CodeError::Empty));
        for bad in ["12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(VerificationCode::parse(bad), Err(CodeError::Format), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        assert!(!format!("{:?}", VerificationCode::parse("987654").unwrap()).contains("987"));
    }
}
