//! What a sign-in leaves behind for its owner to see: how the person proved who
//! they are, and where from. Part of the audit entries and of the sessions.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::OAuthProvider;

/// How a person proved who they are when a session started or went on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMethod {
    Password,
    Sms,
    Qq,
    WechatWeb,
    WechatMp,
    /// A refresh token exchanged: the session went on, no credential was shown.
    Refresh,
}

impl From<OAuthProvider> for LoginMethod {
    fn from(provider: OAuthProvider) -> Self {
        match provider {
            OAuthProvider::Qq => Self::Qq,
            OAuthProvider::WechatWeb => Self::WechatWeb,
            OAuthProvider::WechatMiniProgram => Self::WechatMp,
        }
    }
}

impl LoginMethod {
    pub const ALL: [Self; 6] = [Self::Password, Self::Sms, Self::Qq, Self::WechatWeb, Self::WechatMp, Self::Refresh];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Sms => "sms",
            Self::Qq => "qq",
            Self::WechatWeb => "wechat_web",
            Self::WechatMp => "wechat_mp",
            Self::Refresh => "refresh",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.as_str() == text)
    }
}

/// Where a request came from, as its owner will be shown it: the client's
/// address and a short name of the device made from its User-Agent ("Chrome
/// on Windows"); the User-Agent itself is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInOrigin {
    pub ip: IpAddr,
    pub device: String,
}

impl SignInOrigin {
    pub fn new(ip: IpAddr, device: impl Into<String>) -> Self {
        Self { ip, device: device.into() }
    }
}

/// One signed-in session as stored: its refresh-token family's current member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The refresh-token family, which the session's access tokens name.
    pub id: String,
    pub created_at: DateTime<Utc>,
    /// When it was started or last refreshed.
    pub last_used_at: DateTime<Utc>,
    /// `None` for sessions started before devices were recorded.
    pub device: Option<String>,
    /// The full address of its latest use; shown masked.
    pub ip: Option<IpAddr>,
}

/// How a sign-in ended, as its owner is shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    Success,
    /// The password, or for an SMS sign-in the code, was wrong.
    WrongPassword,
    /// Refused unchecked: too many failures.
    Locked,
}

impl SignInOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::WrongPassword => "wrong_password",
            Self::Locked => "locked",
        }
    }
}

/// One entry of an account's sign-in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRecord {
    pub at: DateTime<Utc>,
    pub method: LoginMethod,
    pub device: Option<String>,
    /// The full address; shown masked.
    pub ip: IpAddr,
    pub outcome: SignInOutcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_reads_back_from_its_name_and_nothing_else_does() {
        for method in LoginMethod::ALL {
            assert_eq!(LoginMethod::parse(method.as_str()), Some(method));
        }
        assert_eq!(LoginMethod::parse("Password"), None);
        assert_eq!(LoginMethod::parse(""), None);
    }
}
