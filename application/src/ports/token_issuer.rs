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
    pub version: i64,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in_secs: u64,
}

/// Issues and verifies the access tokens other services trust.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    fn issue(&self, user: &User) -> Result<IssuedToken, TokenError>;
    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError>;
}
