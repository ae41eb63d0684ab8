//! The wait of a failure-counter reservation for places held by checks still
//! in flight: those may all turn out right and give their places back, so a
//! counter they fill is no lock yet, and a try finding it so looks again.

use std::time::{Duration, Instant};

use application::ports::{CacheError, FailureLimits, Reservation};

/// The first pause between two looks; it doubles up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const LONGEST_PAUSE: Duration = Duration::from_millis(50);

/// What an open counter still full of held places answers when the patience
/// is spent: those checks settle within moments.
pub(super) const HELD_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A cache that can look at failure counters in one atomic step.
pub(super) trait FailureCounters {
    /// One look: the reservation, or `None` when counters are full only of
    /// places held by checks in flight. With `give_up` it always decides:
    /// an open counter so full refuses ([`HELD_RETRY_AFTER`]), a silent one withholds.
    async fn look(&self, limits: &FailureLimits, give_up: bool) -> Result<Option<Reservation>, CacheError>;

    /// Waits at most `longest` for a held place to be settled.
    async fn pause(&self, longest: Duration);
}

/// Looks until a look decides, pausing in between, for at most `limits.patience`.
pub(super) async fn reserve_patiently(
    counters: &impl FailureCounters,
    limits: &FailureLimits,
) -> Result<Reservation, CacheError> {
    let deadline = Instant::now() + limits.patience;
    let mut pause = FIRST_PAUSE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let give_up = left.is_zero();
        match counters.look(limits, give_up).await? {
            Some(reservation) => return Ok(reservation),
            // A look told to give up decides; should one not, the try is refused.
            None if give_up => return Ok(Reservation::Refused { retry_after: HELD_RETRY_AFTER }),
            None => {}
        }
        counters.pause(pause.min(left)).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}
