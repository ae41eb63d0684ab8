use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::redact_url;

/// A database or Redis URL, which may carry a password (`postgres://user:pass@host/db`).
/// `Debug`, `Display` and serialisation show it with the password replaced by `***`; the
/// whole URL only through `expose_secret`, to connect.
#[derive(Clone)]
pub struct ConnectionUrl(SecretString);

impl ExposeSecret<str> for ConnectionUrl {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for ConnectionUrl {
    fn from(url: String) -> Self {
        Self(url.into())
    }
}

impl From<&str> for ConnectionUrl {
    fn from(url: &str) -> Self {
        Self(url.into())
    }
}

impl fmt::Display for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(self.expose_secret()))
    }
}

impl fmt::Debug for ConnectionUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact_url(self.expose_secret()))
    }
}

impl Serialize for ConnectionUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ConnectionUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_shown_by_nothing_but_expose_secret() {
        let url = ConnectionUrl::from("postgres://shop:do-not-print@db-host/accounts");
        for shown in [url.to_string(), format!("{url:?}"), serde_json::to_string(&url).unwrap()] {
            assert!(
                shown.contains("postgres://shop:***@db-host/accounts") && !shown.contains("do-not-print"),
                "{shown}"
            );
        }
        assert_eq!(url.expose_secret(), "postgres://shop:do-not-print@db-host/accounts");
    }
}
