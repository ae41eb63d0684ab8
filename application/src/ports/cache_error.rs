/// Failures of the cache that keeps captchas, codes and rate-limit counters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("cache unavailable: {0}")]
    Unavailable(String),
    #[error("cache error: {0}")]
    Other(String),
}
