use std::time::Duration;

use chrono::{DateTime, Utc};

use super::TokenError;

/// The one step a flow token opens; a token of one kind never opens another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowKind {
    /// Find password, step 1 → 2: send the code to the account's mobile.
    ResetPasswordSms,
    /// Find password, step 3 → 4: set a new password.
    ResetPassword,
    /// The link mailed by `PUT /email/`.
    EmailVerification,
    /// A website login started here, on its way to the hop that binds it to a browser:
    /// names the provider and carries where to go next.
    OAuthStart,
    /// The same login once the hop has set it in the browser's cookie: only a callback
    /// carrying it is accepted, once.
    OAuthFlow,
    /// A provider identity not bound yet: carries `provider:openid` and the
    /// unionid to the bind form.
    OAuthBind,
}

impl FlowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResetPasswordSms => "reset_password_sms",
            Self::ResetPassword => "reset_password",
            Self::EmailVerification => "email_verification",
            Self::OAuthStart => "oauth_start",
            Self::OAuthFlow => "oauth_flow",
            Self::OAuthBind => "oauth_bind",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::ResetPasswordSms,
            Self::ResetPassword,
            Self::EmailVerification,
            Self::OAuthStart,
            Self::OAuthFlow,
            Self::OAuthBind,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

/// What a flow token is issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowGrant {
    pub kind: FlowKind,
    /// Whom it concerns (a user id).
    pub subject: String,
    /// What it is about: the mobile to send to, the email to verify.
    pub target: Option<String>,
    /// The user's token version when issued: a password reset voids it.
    pub version: i64,
    pub ttl: Duration,
}

/// A verified flow token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowClaims {
    pub kind: FlowKind,
    pub subject: String,
    pub target: Option<String>,
    pub version: i64,
    /// Unique per token, so its single use can be recorded.
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
}

/// Signs and verifies the short-lived tokens that carry a person from one
/// step of a flow to the next, under a key of their own (never confused with
/// access tokens).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait FlowTokenSigner: Send + Sync {
    fn sign(&self, grant: &FlowGrant) -> Result<String, TokenError>;
    /// Fails unless the token is intact, unexpired and of `kind`.
    fn verify(&self, token: &str, kind: FlowKind) -> Result<FlowClaims, TokenError>;
}
