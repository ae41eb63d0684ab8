use std::time::Duration;

use domain::{
    CaptchaIdError, CaptchaTextError, CodeError, EmailError, MobileError, PasswordError, ProfileError, UsernameError,
};

use crate::ports::{Backend, CacheError, HashError, MessagingError, RenderError, RepoError, TokenError};

/// The request field an error belongs to; `NonField` for errors about the
/// request as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Username,
    Password,
    Password2,
    Mobile,
    Email,
    SmsCode,
    EmailCode,
    Allow,
    ImageCodeId,
    ImageCodeText,
    RefreshToken,
    OldPassword,
    Nickname,
    Avatar,
    Gender,
    Birthday,
    Address,
    Signature,
    /// The step token of find password, or an OAuth bind token.
    AccessToken,
    /// The token of an email verification link.
    Token,
    /// What the email-code endpoint is asked to send (`send_type`).
    SendType,
    /// The OAuth `state` of a callback.
    State,
    /// A query parameter bounding how many items are listed.
    Limit,
    NonField,
}

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Username(UsernameError),
    Mobile(MobileError),
    Email(EmailError),
    Password(PasswordError),
    CodeFormat(CodeError),
    CaptchaId(CaptchaIdError),
    CaptchaText(CaptchaTextError),
    Profile(ProfileError),
    /// A required field that has no value-object of its own was left empty.
    Required,
    PasswordsDiffer,
    AgreementRequired,
    /// The captcha text did not match, or the captcha expired or was used.
    CaptchaWrong,
    /// The code did not match; it stays usable for `attempts_left` more tries.
    CodeWrong {
        attempts_left: u32,
    },
    /// No code is pending for this target: never sent, expired or already used.
    CodeExpired,
    /// Too many wrong tries: the code is burned and a new one must be sent.
    CodeExhausted,
    /// Another account already uses this value.
    Taken,
    /// The current password given to authorise a change is wrong.
    WrongPassword,
    /// A step or bind token that is forged, expired, used, or from another step.
    StepTokenInvalid,
    /// An email verification link that is forged, expired or outdated.
    LinkInvalid,
    /// The account has no mobile to send a find-password code to.
    NoMobile,
    /// A value outside the accepted set (e.g. `send_type`).
    Choice,
    /// The password of the account being bound to is wrong.
    AccountPasswordWrong,
    /// An OAuth `state` that is missing, forged, expired, used or not ours.
    StateInvalid,
    /// The provider refused the authorization code: expired, used, or never issued.
    OAuthCodeInvalid,
    /// The provider identity is already bound to an account (409).
    AlreadyBound,
    /// Unbinding would leave the account without any way to log in (409).
    LastWayToLogIn,
    /// Not a whole number within `min..=max`.
    OutOfRange {
        min: u32,
        max: u32,
    },
    /// The request needs a token from a sign-in within the last few minutes
    /// (an account with neither password nor mobile confirms that way).
    RecentSignInRequired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: Field, problem: Problem) -> Self {
        Self { field, problem }
    }
}

/// Why a request could not be authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    Invalid,
    Expired,
    /// The token was valid but its account or session no longer is.
    Revoked,
}

/// Every way a use case can fail; the HTTP adapter maps each variant to a
/// status and the error body of the contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("wrong account or password")]
    InvalidCredentials,
    #[error("rate limited for {retry_after:?}")]
    RateLimited { retry_after: Duration },
    #[error("not authenticated: {0:?}")]
    Unauthenticated(AuthFailure),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("{} unavailable", .0.name())]
    Unavailable(Backend),
    /// The request conflicts with the current state (409), e.g. an identity already bound.
    #[error("conflict: {0:?}")]
    Conflict(FieldError),
    /// A third-party provider failed (502); `code` is the provider's own error code.
    #[error("{provider} failed (code {code:?})")]
    Upstream { provider: &'static str, code: Option<i64> },
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn field(field: Field, problem: Problem) -> Self {
        Self::Validation(vec![FieldError::new(field, problem)])
    }
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        match error {
            // Each use case that can clash on a unique key says what the clash
            // means in its flow; one that reaches here did not expect it.
            RepoError::Conflict(key) => Self::Internal(format!("repository: unexpected clash on {}", key.name())),
            RepoError::Unavailable(_) => Self::Unavailable(Backend::Database),
            RepoError::Other(detail) => Self::Internal(format!("repository: {detail}")),
        }
    }
}

impl From<CacheError> for AppError {
    fn from(error: CacheError) -> Self {
        match error {
            CacheError::Unavailable(_) => Self::Unavailable(Backend::Cache),
            CacheError::Other(detail) => Self::Internal(format!("cache: {detail}")),
        }
    }
}

impl From<HashError> for AppError {
    fn from(error: HashError) -> Self {
        Self::Internal(format!("password hashing: {error}"))
    }
}

impl From<MessagingError> for AppError {
    fn from(error: MessagingError) -> Self {
        match error {
            MessagingError::Unavailable(_) => Self::Unavailable(Backend::Messaging),
            MessagingError::Other(detail) => Self::Internal(format!("messaging: {detail}")),
        }
    }
}

impl From<RenderError> for AppError {
    fn from(error: RenderError) -> Self {
        match error {
            // Shedding load is told like a limit: the client may retry in a second.
            RenderError::Busy => Self::RateLimited { retry_after: Duration::from_secs(1) },
            RenderError::Failed(detail) => Self::Internal(format!("captcha rendering: {detail}")),
        }
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Expired => Self::Unauthenticated(AuthFailure::Expired),
            TokenError::Invalid => Self::Unauthenticated(AuthFailure::Invalid),
            TokenError::Signing(detail) => Self::Internal(format!("token signing: {detail}")),
        }
    }
}

/// Collects the field errors of one request so that a person sees every
/// problem at once rather than one per round trip.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Records `problem(e)` against `field` when `result` is an error.
    pub fn check<T, E>(&mut self, field: Field, result: Result<T, E>, problem: fn(E) -> Problem) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(field, problem(error));
                None
            }
        }
    }

    pub fn push(&mut self, field: Field, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    /// `Ok` when nothing was recorded.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(self.into_error()) }
    }

    /// The validation error for what was recorded; for the branch where a
    /// checked value is absent, which only happens after a recorded error.
    pub fn into_error(self) -> AppError {
        AppError::Validation(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::UniqueKey;

    #[test]
    fn a_clash_no_use_case_expected_is_internal_whatever_the_key() {
        for key in [UniqueKey::Username, UniqueKey::Mobile, UniqueKey::Email, UniqueKey::Identity] {
            let got = AppError::from(RepoError::Conflict(key));
            assert!(matches!(got, AppError::Internal(_)), "{key:?}: {got:?}");
        }
    }
}
