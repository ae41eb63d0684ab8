//! What checking or setting a password goes through.

use std::sync::Arc;

use crate::LoginPolicy;
use crate::ports::{PasswordHasher, RateLimiter};

/// The password hasher and the login lock (its failure counters and their
/// policy): a password is checked only within the lock, and setting a new one
/// lifts it.
#[derive(Clone)]
pub struct PasswordGuard {
    pub hasher: Arc<dyn PasswordHasher>,
    pub limiter: Arc<dyn RateLimiter>,
    pub policy: LoginPolicy,
}
