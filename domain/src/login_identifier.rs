use crate::{Email, Mobile};

/// What a person typed into the login form's `username` field, read as the
/// kind of account key it can only be.
///
/// A well-formed mobile is always a mobile (usernames cannot be all digits), an
/// address with `@` is an email, anything else is looked up as a username as
/// typed: imported accounts may carry names older than today's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginIdentifier {
    Username(String),
    Mobile(Mobile),
    Email(Email),
}

impl LoginIdentifier {
    /// Longer input cannot name any account; refusing it keeps lookups cheap.
    pub const MAX_LEN: usize = 254;

    /// `None` when the input cannot name any account at all.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return None;
        }
        if let Ok(mobile) = Mobile::parse(raw) {
            return Some(Self::Mobile(mobile));
        }
        if raw.contains('@') {
            return Email::parse(raw).ok().map(Self::Email);
        }
        Some(Self::Username(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_account_key() {
        assert_eq!(
            LoginIdentifier::parse("+86 138-0013-8000"),
            Some(LoginIdentifier::Mobile(Mobile::parse("13800138000").unwrap()))
        );
        assert_eq!(
            LoginIdentifier::parse("Alice@Example.com"),
            Some(LoginIdentifier::Email(Email::parse("alice@example.com").unwrap()))
        );
        assert_eq!(LoginIdentifier::parse("alice"), Some(LoginIdentifier::Username("alice".into())));
        assert_eq!(LoginIdentifier::parse("   "), None);
        assert_eq!(LoginIdentifier::parse("not@an@email"), None);
        assert_eq!(LoginIdentifier::parse(&"a".repeat(300)), None);
    }
}
