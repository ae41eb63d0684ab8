use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use serde_with::{DeserializeFromStr, SerializeDisplay};

/// How the connection to the SMTP server is protected; written and read as a configuration
/// file spells it (`starttls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub enum SmtpTls {
    /// Plain text throughout: only for a relay on the same host or in tests.
    None,
    /// Plain connect, then a required `STARTTLS` upgrade (usually port 587).
    StartTls,
    /// TLS from the first byte, "implicit TLS" (usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::StartTls => "starttls",
            Self::Tls => "tls",
        }
    }

    /// Reads `none`, `starttls` or `tls`, in any case, as a configuration file or variable spells it.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::None, Self::StartTls, Self::Tls].into_iter().find(|tls| raw.trim().eq_ignore_ascii_case(tls.as_str()))
    }
}

impl FromStr for SmtpTls {
    /// What is wrong with the text, to follow the name of the setting.
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw).ok_or_else(|| format!("must be none, starttls or tls, not {raw:?}"))
    }
}

impl fmt::Display for SmtpTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where and as whom the [`SmtpMessageSender`](super::SmtpMessageSender) sends mail.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Authenticate only when set; `password` then goes with it (empty when absent).
    pub username: Option<String>,
    /// Exposed only to sign in.
    pub password: Option<SecretString>,
    /// The `From` of every mail: `美多商城 <no-reply@example.com>` or a bare address.
    pub from: String,
    /// The longest the delivery of one mail may take, connecting included.
    pub timeout: Duration,
    /// What code mails say about how long the code is valid (from the configured code lifetime).
    pub code_valid_minutes: u32,
}

// Settings get logged at start-up and end up in panics; the password must not.
impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "******"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .field("code_valid_minutes", &self.code_valid_minutes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_tls_modes_and_nothing_else() {
        assert_eq!(SmtpTls::parse("none"), Some(SmtpTls::None));
        assert_eq!(SmtpTls::parse("starttls"), Some(SmtpTls::StartTls));
        assert_eq!(SmtpTls::parse(" TLS "), Some(SmtpTls::Tls));
        for bad in ["", "ssl", "start-tls", "true"] {
            assert_eq!(SmtpTls::parse(bad), None, "{bad}");
        }
        for tls in [SmtpTls::None, SmtpTls::StartTls, SmtpTls::Tls] {
            assert_eq!(SmtpTls::parse(tls.as_str()), Some(tls));
        }
    }

    #[test]
    fn debug_output_hides_the_password() {
        let settings = SmtpSettings {
            host: "smtp.example.com".into(),
            port: 465,
            tls: SmtpTls::Tls,
            username: Some("mailer".into()),
            password: Some("s3cret-pa55".into()),
            from: "no-reply@example.com".into(),
            timeout: Duration::from_secs(10),
            code_valid_minutes: 5,
        };
        let debug = format!("{settings:?}");
        assert!(!debug.contains("s3cret-pa55"), "{debug}");
        assert!(debug.contains("smtp.example.com") && debug.contains("mailer") && debug.contains("******"), "{debug}");
    }
}
