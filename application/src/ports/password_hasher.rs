use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("{0}")]
    Failed(String),
}

/// Slow, salted password hashing that does not block request handling.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password` (callers enforce the password policy first).
    async fn hash(&self, password: &str) -> Result<String, HashError>;
    /// Whether `candidate` matches `stored`. With `stored == None` (unknown
    /// account, or no usable password) it spends the same work on a dummy hash
    /// and answers `false`, so the time taken does not reveal which case it was.
    async fn verify(&self, candidate: &str, stored: Option<String>) -> Result<bool, HashError>;
    /// Takes as long as a verification without computing one, for a try
    /// whose password must not be checked but whose answer must not come
    /// sooner than a checked one's.
    async fn pass_verification_time(&self);
    /// Whether `stored` should be replaced by a fresh hash at the next
    /// successful login: a legacy format, or weaker parameters than today's.
    fn needs_rehash(&self, stored: &str) -> bool;
}
