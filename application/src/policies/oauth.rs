use std::time::Duration;

/// Third-party login: how long a login may take between leaving for the
/// provider and coming back, and how long an unbound identity may take to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthPolicy {
    pub state_ttl: Duration,
    pub bind_ttl: Duration,
    /// How long a WeChat `session_key` is kept; a new `wx.login` replaces it sooner.
    pub session_key_ttl: Duration,
}

impl Default for OAuthPolicy {
    fn default() -> Self {
        Self {
            state_ttl: Duration::from_secs(600),
            bind_ttl: Duration::from_secs(600),
            session_key_ttl: Duration::from_secs(3 * 24 * 60 * 60),
        }
    }
}
