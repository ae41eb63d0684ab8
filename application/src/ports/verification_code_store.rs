use std::time::Duration;

use async_trait::async_trait;
use domain::VerificationCode;

use super::{CacheError, Channel};

/// What a one-time code was sent for; a code sent for one purpose never
/// satisfies another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    Register,
    /// Find password: proves the person holds the account's mobile or email.
    ResetPassword,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::ResetPassword => "reset_password",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "register" => Some(Self::Register),
            "reset_password" => Some(Self::ResetPassword),
            _ => None,
        }
    }
}

/// Identifies the code pending for one target (a normalised mobile or email).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeKey {
    pub channel: Channel,
    pub purpose: CodePurpose,
    pub target: String,
}

/// The result of checking a submitted code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// It matched and has been consumed.
    Accepted,
    /// It did not match; the pending code survives for `attempts_left` more tries.
    Rejected { attempts_left: u32 },
    /// It did not match and that was the last allowed try: the code is burned.
    Exhausted,
    /// No code is pending: never sent, expired, consumed or burned.
    Missing,
}

/// Pending one-time codes. Implementations keep only a keyed hash of each code,
/// compare in constant time, and check-and-update in one atomic step.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait VerificationCodeStore: Send + Sync {
    /// Keeps `code` for `ttl`, replacing any pending code for the key and its failed tries.
    async fn save(&self, key: &CodeKey, code: &VerificationCode, ttl: Duration) -> Result<(), CacheError>;
    /// Checks `candidate`; consumes the code on success, burns it on the `max_attempts`th failure.
    async fn check(
        &self,
        key: &CodeKey,
        candidate: &VerificationCode,
        max_attempts: u32,
    ) -> Result<CodeCheck, CacheError>;
    /// Removes the pending code of `key`, if any (an erased account's).
    async fn discard(&self, key: &CodeKey) -> Result<(), CacheError>;
}
