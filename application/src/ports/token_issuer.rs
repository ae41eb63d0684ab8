use chrono::{DateTime, Utc};
use domain::{User, UserId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("token invalid")]
    Invalid,
    #[error("cannot sign token: {0}")]
    Signing(String),
}

/// What a verified access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub username: String,
    pub token_id: String,
    /// The session (the refresh-token family) it was issued in; `None` for a
    /// token issued before tokens carried one.
    pub session_id: Option<String>,
    pub version: i64,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in_secs: u64,
    /// The session it belongs to: the one given, or a new one named after it.
    pub session_id: String,
}

/// Issues and verifies the access tokens other services trust.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[allow(clippy::ref_option_ref, reason = "mockall's generated matchers take `&Option<&str>`")]
pub trait TokenIssuer: Send + Sync {
    /// A token of `session` (a refresh-token family), or of a new session when `None`.
    #[allow(clippy::needless_lifetimes, reason = "mockall needs the lifetime of a reference inside an Option named")]
    fn issue<'a>(&self, user: &User, session: Option<&'a str>) -> Result<IssuedToken, TokenError>;
    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError>;
}
