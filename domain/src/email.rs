use std::fmt;

/// Why an email address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is required")]
    Empty,
    #[error("not a valid email address")]
    Format,
}

/// A syntactically valid email address, stored lower-cased so that uniqueness
/// is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX_LEN: usize = 254;
    /// A subset of what `parse` accepts, for the OpenAPI document: ASCII letters, digits, `_`, `+`, `-` and
    /// at most one dot in a local part of at most 64 characters, and a domain of two or more labels of at most
    /// 63 letters, digits and inner hyphens. Every address a client checks with it is accepted; `parse` also
    /// takes the rarer characters RFC 5322 allows.
    pub const PATTERN: &str = r"^[A-Za-z0-9_+-]{1,32}(\.[A-Za-z0-9_+-]{1,31})?@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";

    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(EmailError::Empty);
        }
        let lowered = raw.to_lowercase();
        if lowered.len() > Self::MAX_LEN || !Self::well_formed(&lowered) {
            return Err(EmailError::Format);
        }
        Ok(Self(lowered))
    }

    fn well_formed(address: &str) -> bool {
        let Some((local, domain)) = address.rsplit_once('@') else {
            return false;
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        local_ok && domain_ok
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `v***@example.com`: the first character of the local part and the domain, for logs.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or(("", &self.0));
        let first = local.chars().next().map(String::from).unwrap_or_default();
        format!("{first}***@{domain}")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_trims() {
        assert_eq!(Email::parse(" Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
        assert_eq!(Email::parse("a.b+tag@mail.qq.com").unwrap().as_str(), "a.b+tag@mail.qq.com");
    }

    #[test]
    fn refuses_malformed_addresses() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        for bad in [
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "al ice@example.com",
            ".alice@example.com",
            "alice..b@example.com",
            "alice@-example.com",
            "alice@example..com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Format), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::Format));
    }

    #[test]
    fn masks_all_but_the_first_character_of_the_local_part() {
        assert_eq!(Email::parse("Victim@Example.com").unwrap().masked(), "v***@example.com");
        assert_eq!(Email::parse("é.x@例子.cn").unwrap().masked(), "é***@例子.cn");
    }
}
