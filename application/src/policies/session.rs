use std::time::Duration;

/// How long sessions last and how a replayed refresh token is told from two
/// tabs refreshing at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Lifetime of each refresh token (a rotation issues a successor with a full lifetime).
    pub refresh_lifetime: Duration,
    /// How long a rotated refresh token may still be exchanged.
    pub reuse_grace: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { refresh_lifetime: Duration::from_secs(14 * 24 * 60 * 60), reuse_grace: Duration::from_secs(10) }
    }
}

/// How many sessions are listed, the most recently used first. Each login
/// starts one, so a script logging in all day could otherwise make the list
/// (and its query) as long as it liked; older ones still end with a sign-out
/// everywhere.
pub const SESSIONS_LISTED: u32 = 100;
