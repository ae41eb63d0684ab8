/// Why an [`SmtpMessageSender`](super::SmtpMessageSender) cannot be built from its settings:
/// found at start-up rather than on the first mail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpSetupError {
    #[error("SMTP host is empty")]
    MissingHost,
    #[error("SMTP sender address {from:?} is not a mailbox such as `美多商城 <no-reply@example.com>`: {reason}")]
    InvalidFrom { from: String, reason: String },
    #[error("SMTP username is set but no password is")]
    UsernameWithoutPassword,
    #[error("SMTP password is set but no username is")]
    PasswordWithoutUsername,
    #[error("SMTP timeout must be longer than zero")]
    ZeroTimeout,
    #[error("SMTP TLS setup failed: {0}")]
    Tls(String),
}
