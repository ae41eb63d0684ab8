//! Failure counters (the login lock) charged before the password check they
//! guard, not after it.

use std::future::Future;
use std::time::Duration;

use crate::AppError;
use crate::ports::{RateDecision, RateLimit, RateLimiter};

/// What a password check within failure counters came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A counter is full: the password was not looked at.
    Locked { retry_after: Duration },
    /// The password is wrong; the failure keeps its slot in every counter.
    Wrong,
    /// The password is right; the slots were given back.
    Right,
}

/// Runs `check` (a password verification) only once a slot is taken in every
/// counter of `limits`: a burst of simultaneous tries gets no more checks than
/// the counters allow, and a refused try costs no hashing. Only a wrong
/// password keeps its slots; a right one, or a check that could not finish
/// (hash pool or database down), gives them back, so an outage charges nobody.
pub(crate) async fn check_within(
    limiter: &dyn RateLimiter,
    limits: &[RateLimit],
    check: impl Future<Output = Result<bool, AppError>>,
) -> Result<Verdict, AppError> {
    if let RateDecision::Limited { retry_after } = limiter.reserve(limits).await? {
        return Ok(Verdict::Locked { retry_after });
    }
    match check.await {
        Ok(false) => Ok(Verdict::Wrong),
        Ok(true) => {
            limiter.release(limits).await?;
            Ok(Verdict::Right)
        }
        Err(error) => {
            // The check's own failure is the answer; should the refund fail
            // too (the cache is down), the slots stay taken until their windows end.
            let _refund = limiter.release(limits).await;
            Err(error)
        }
    }
}
