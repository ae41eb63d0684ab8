use domain::VerificationCode;

/// Draws one-time codes from a cryptographically secure source.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait CodeGenerator: Send + Sync {
    fn verification_code(&self) -> VerificationCode;
}
