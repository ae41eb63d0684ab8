use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;

use super::{LoginMethod, RepoError, SignInOrigin, SignInOutcome, SignInRecord};

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
    /// A refresh token was exchanged: the session went on.
    SessionRefreshed,
    /// One session was ended from the list of sessions.
    SessionEnded,
    /// A copy of the person's data was downloaded.
    DataExported,
    /// The person asked for their account to be deleted; it is erased after the cooling-off.
    AccountDeletionRequested,
    /// A sign-in within the cooling-off cancelled the account's deletion.
    AccountRestored,
    /// The retention job erased the account; the entry names only its pseudonym.
    AccountErased,
}

impl AuditEvent {
    pub const ALL: [Self; 16] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::LoginLocked,
        Self::LoggedOut,
        Self::SessionsRevoked,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::EmailChanged,
        Self::EmailVerified,
        Self::OAuthBound,
        Self::SessionRefreshed,
        Self::SessionEnded,
        Self::DataExported,
        Self::AccountDeletionRequested,
        Self::AccountRestored,
        Self::AccountErased,
    ];

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
            Self::SessionRefreshed => "session_refreshed",
            Self::SessionEnded => "session_ended",
            Self::DataExported => "data_exported",
            Self::AccountDeletionRequested => "account_deletion_requested",
            Self::AccountRestored => "account_restored",
            Self::AccountErased => "account_erased",
        }
    }

    /// How a sign-in recorded as this event ended; `None` for events that are no sign-in.
    pub fn sign_in_outcome(self) -> Option<SignInOutcome> {
        match self {
            Self::LoginSucceeded | Self::OAuthBound | Self::SessionRefreshed => Some(SignInOutcome::Success),
            Self::LoginFailed => Some(SignInOutcome::WrongPassword),
            Self::LoginLocked => Some(SignInOutcome::Locked),
            _ => None,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// `None` when the event names no existing account (a login for an unknown name).
    pub user_id: Option<UserId>,
    pub event: AuditEvent,
    pub ip: IpAddr,
    pub at: DateTime<Utc>,
    /// How the person signed in or tried to; `Some` makes the entry part of the sign-in history.
    pub method: Option<LoginMethod>,
    /// The device's short name, for sign-ins.
    pub device: Option<String>,
}

impl AuditEntry {
    /// An event that is no sign-in.
    pub fn new(user_id: Option<UserId>, event: AuditEvent, ip: IpAddr, at: DateTime<Utc>) -> Self {
        Self { user_id, event, ip, at, method: None, device: None }
    }

    /// A sign-in, a refused one included, from `origin` by `method`.
    pub fn sign_in(
        user_id: Option<UserId>,
        event: AuditEvent,
        method: LoginMethod,
        origin: &SignInOrigin,
        at: DateTime<Utc>,
    ) -> Self {
        Self { user_id, event, ip: origin.ip, at, method: Some(method), device: Some(origin.device.clone()) }
    }

    /// The entry as its owner's sign-in history shows it; `None` for an entry
    /// that is no sign-in (no method, or an event that is not one).
    pub fn into_sign_in(self) -> Option<SignInRecord> {
        Some(SignInRecord {
            outcome: self.event.sign_in_outcome()?,
            method: self.method?,
            at: self.at,
            device: self.device,
            ip: self.ip,
        })
    }
}

/// Where audit entries are written.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, entry: AuditEntry) -> Result<(), RepoError>;
    /// The user's latest sign-ins and refused sign-ins, newest first, at most `limit`.
    async fn sign_ins(&self, user: UserId, limit: u32) -> Result<Vec<SignInRecord>, RepoError>;
    /// Every entry about the user, newest first, at most `limit` (a copy of their data).
    /// Entries of events this version does not know are left out.
    async fn entries_of(&self, user: UserId, limit: u32) -> Result<Vec<AuditEntry>, RepoError>;
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn entry(event: AuditEvent, method: Option<LoginMethod>) -> AuditEntry {
        let origin = SignInOrigin::new(IpAddr::V4(Ipv4Addr::LOCALHOST), "Chrome on Windows");
        AuditEntry { method, ..AuditEntry::sign_in(Some(UserId(7)), event, LoginMethod::Sms, &origin, Utc::now()) }
    }

    #[test]
    fn only_entries_with_a_method_and_a_sign_in_event_are_sign_ins() {
        let wrong = entry(AuditEvent::LoginFailed, Some(LoginMethod::Sms)).into_sign_in().unwrap();
        assert_eq!((wrong.method, wrong.outcome), (LoginMethod::Sms, SignInOutcome::WrongPassword));
        let locked = entry(AuditEvent::LoginLocked, Some(LoginMethod::Password)).into_sign_in().unwrap();
        assert_eq!(locked.outcome, SignInOutcome::Locked);
        let refreshed = entry(AuditEvent::SessionRefreshed, Some(LoginMethod::Refresh)).into_sign_in().unwrap();
        assert_eq!(refreshed.outcome, SignInOutcome::Success);
        assert_eq!(entry(AuditEvent::LoginSucceeded, None).into_sign_in(), None, "recorded before methods were");
        assert_eq!(entry(AuditEvent::PasswordChanged, Some(LoginMethod::Password)).into_sign_in(), None);
    }

    #[test]
    fn every_event_reads_back_from_its_name() {
        for event in AuditEvent::ALL {
            assert_eq!(AuditEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(AuditEvent::parse("no_such_event"), None);
    }
}
