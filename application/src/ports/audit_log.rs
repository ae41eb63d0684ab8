use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;

use super::RepoError;

/// Security-relevant events kept for later inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    LoginSucceeded,
    LoginFailed,
    LoginLocked,
    LoggedOut,
    SessionsRevoked,
    PasswordChanged,
    PasswordReset,
    EmailChanged,
    EmailVerified,
    OAuthBound,
    /// The person asked for their account to be deleted; it is erased after the cooling-off.
    AccountDeletionRequested,
    /// A sign-in within the cooling-off cancelled the account's deletion.
    AccountRestored,
    /// The retention job erased the account; the entry names only its pseudonym.
    AccountErased,
}

impl AuditEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::LoginLocked => "login_locked",
            Self::LoggedOut => "logged_out",
            Self::SessionsRevoked => "sessions_revoked",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::EmailChanged => "email_changed",
            Self::EmailVerified => "email_verified",
            Self::OAuthBound => "oauth_bound",
            Self::AccountDeletionRequested => "account_deletion_requested",
            Self::AccountRestored => "account_restored",
            Self::AccountErased => "account_erased",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// `None` when the event names no existing account (a login for an unknown name).
    pub user_id: Option<UserId>,
    pub event: AuditEvent,
    pub ip: IpAddr,
    pub at: DateTime<Utc>,
}

/// Where audit entries are written.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, entry: AuditEntry) -> Result<(), RepoError>;
}
