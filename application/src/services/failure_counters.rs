//! Failure counters (the login lock) charged before the password check they
//! guard, not after it.

use std::future::Future;
use std::time::Duration;

use crate::AppError;
use crate::ports::{FailureLimits, RateLimiter, Reservation, Settlement};

/// What a password check within failure counters came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// An open counter is full: the password was not looked at.
    Locked { retry_after: Duration },
    /// A silent counter is full: the password was not looked at, and the try
    /// counts as a failure where a wrong one would show.
    Withheld { retry_after: Duration },
    /// The password is wrong; the failure keeps its place in every counter.
    Wrong,
    /// The password is right; the places were given back.
    Right,
}

/// Runs `check` (a password verification) only once a place is taken in every
/// counter of `limits`: a burst of simultaneous tries gets no more checks than
/// the counters allow, and a refused try costs no hashing. Only a wrong
/// password keeps its places; a right one, or a check that could not finish
/// (hash pool or database down), gives them back, so an outage charges nobody.
pub(crate) async fn check_within(
    limiter: &dyn RateLimiter,
    limits: &FailureLimits,
    check: impl Future<Output = Result<bool, AppError>>,
) -> Result<Verdict, AppError> {
    match limiter.reserve(limits).await? {
        Reservation::Taken => {}
        Reservation::Refused { retry_after } => return Ok(Verdict::Locked { retry_after }),
        Reservation::Withheld { retry_after } => return Ok(Verdict::Withheld { retry_after }),
    }
    match check.await {
        Ok(false) => {
            limiter.settle(limits, Settlement::Charged).await?;
            Ok(Verdict::Wrong)
        }
        Ok(true) => {
            limiter.settle(limits, Settlement::Refunded).await?;
            Ok(Verdict::Right)
        }
        Err(error) => {
            // The check's own failure is the answer; should the refund fail
            // too (the cache is down), the places stay taken until their windows end.
            let _refund = limiter.settle(limits, Settlement::Refunded).await;
            Err(error)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::ports::{CacheError, HashError, MockRateLimiter, PasswordHasher, RateLimit};

    pub(crate) const MAX: u32 = 5;

    /// A mock limiter that keeps one real counter of `MAX`, atomically like
    /// the adapters (without their wait for places held by checks in flight).
    pub(crate) fn counting_limiter(count: Arc<AtomicU32>) -> MockRateLimiter {
        let mut limiter = MockRateLimiter::new();
        let taken = count.clone();
        limiter.expect_reserve().returning(move |_| {
            match taken.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < MAX).then_some(n + 1)) {
                Ok(_) => Ok(Reservation::Taken),
                Err(_) => Ok(Reservation::Refused { retry_after: Duration::from_secs(900) }),
            }
        });
        limiter.expect_settle().returning(move |_, settlement| {
            if settlement == Settlement::Refunded {
                count.fetch_sub(1, Ordering::SeqCst);
            }
            Ok(())
        });
        limiter
    }

    /// A hasher that takes its time (other tries arrive meanwhile), counts its
    /// verifications and never matches.
    #[derive(Default)]
    pub(crate) struct SlowWrongHasher {
        pub verified: AtomicU32,
    }

    #[async_trait]
    impl PasswordHasher for SlowWrongHasher {
        async fn hash(&self, _password: &str) -> Result<String, HashError> {
            Err(HashError::Failed("not expected".into()))
        }

        async fn verify(&self, _candidate: &str, _stored: Option<String>) -> Result<bool, HashError> {
            self.verified.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(false)
        }

        async fn pass_verification_time(&self) {}

        fn needs_rehash(&self, _stored: &str) -> bool {
            false
        }
    }

    fn limits() -> FailureLimits {
        FailureLimits {
            open: vec![RateLimit::new("login:user:1", MAX, Duration::from_secs(900))],
            silent: Vec::new(),
            patience: Duration::from_secs(2),
        }
    }

    #[tokio::test]
    async fn a_burst_of_wrong_passwords_gets_exactly_the_allowed_checks() {
        let count = Arc::new(AtomicU32::new(0));
        let limiter = Arc::new(counting_limiter(count.clone()));
        let checks = Arc::new(AtomicU32::new(0));
        let tries: Vec<_> = (0..25)
            .map(|_| {
                let (limiter, checks) = (limiter.clone(), checks.clone());
                tokio::spawn(async move {
                    let check = async {
                        checks.fetch_add(1, Ordering::SeqCst);
                        // Hashing takes time: the other tries arrive meanwhile.
                        tokio::task::yield_now().await;
                        Ok(false)
                    };
                    check_within(limiter.as_ref(), &limits(), check).await.unwrap()
                })
            })
            .collect();
        let mut wrong = 0;
        for try_ in tries {
            match try_.await.unwrap() {
                Verdict::Wrong => wrong += 1,
                Verdict::Locked { .. } => {}
                Verdict::Withheld { .. } => panic!("no counter is silent"),
                Verdict::Right => panic!("no password was right"),
            }
        }
        assert_eq!((wrong, checks.load(Ordering::SeqCst), count.load(Ordering::SeqCst)), (MAX, MAX, MAX));
    }

    #[tokio::test]
    async fn a_right_password_or_a_check_that_cannot_finish_gives_the_slot_back() {
        let count = Arc::new(AtomicU32::new(0));
        let limiter = counting_limiter(count.clone());
        let limits = limits();
        assert_eq!(check_within(&limiter, &limits, async { Ok(true) }).await, Ok(Verdict::Right));
        assert_eq!(count.load(Ordering::SeqCst), 0);
        let outage = check_within(&limiter, &limits, async { Err(HashError::Failed("pool closed".into()).into()) });
        assert!(matches!(outage.await, Err(AppError::Internal(_))));
        assert_eq!(count.load(Ordering::SeqCst), 0);
        assert_eq!(check_within(&limiter, &limits, async { Ok(false) }).await, Ok(Verdict::Wrong));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_withheld_try_checks_nothing_and_settles_nothing() {
        // The mock has no settle expectation: settling would panic.
        let mut limiter = MockRateLimiter::new();
        let wait = Duration::from_secs(800);
        limiter.expect_reserve().returning(move |_| Ok(Reservation::Withheld { retry_after: wait }));
        let got = check_within(&limiter, &limits(), async { panic!("checked while withheld") }).await;
        assert_eq!(got, Ok(Verdict::Withheld { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_cache_that_cannot_reserve_checks_nothing() {
        let mut limiter = MockRateLimiter::new();
        limiter.expect_reserve().returning(|_| Err(CacheError::Unavailable("down".into())));
        let got = check_within(&limiter, &limits(), async { panic!("checked without a slot") }).await;
        assert_eq!(got, Err(AppError::Unavailable(crate::Backend::Cache)));
    }
}
