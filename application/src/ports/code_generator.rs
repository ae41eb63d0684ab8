use domain::VerificationCode;

/// Draws one-time codes, and the random part of generated usernames, from a
/// cryptographically secure source.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait CodeGenerator: Send + Sync {
    fn verification_code(&self) -> VerificationCode;
    /// Ten lowercase letters and digits, for the name of an account created by a third-party login.
    fn name_suffix(&self) -> String;
}
