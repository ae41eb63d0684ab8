use domain::VerificationCode;

/// Draws one-time codes, the random part of generated usernames, and the
/// pseudonyms of erased accounts from a cryptographically secure source.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait CodeGenerator: Send + Sync {
    fn verification_code(&self) -> VerificationCode;
    /// Ten lowercase letters and digits, for the name of an account created by a third-party login.
    fn name_suffix(&self) -> String;
    /// 32 lowercase hex digits (128 random bits), for the pseudonym that stands
    /// for an erased account in the audit trail.
    fn pseudonym(&self) -> String;
}
