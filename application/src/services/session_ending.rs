//! Ending one session: what a logout does, and what a replayed refresh token
//! does to the session it was stolen from.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use domain::UserId;

use crate::AppError;
use crate::ports::{AccessTokenRevocations, Clock, RefreshTokenStore};

/// Ends a session: its refresh-token family first (under the account's lock,
/// so no exchange after it mints another access token of the session), then
/// every access token of the session issued so far, until the last of them
/// would have expired anyway.
pub struct SessionEnding {
    refresh: Arc<dyn RefreshTokenStore>,
    revocations: Arc<dyn AccessTokenRevocations>,
    clock: Arc<dyn Clock>,
    /// How long an access token lives: those of the session issued so far expire within it.
    access_lifetime: Duration,
}

impl SessionEnding {
    pub fn new(
        refresh: Arc<dyn RefreshTokenStore>,
        revocations: Arc<dyn AccessTokenRevocations>,
        clock: Arc<dyn Clock>,
        access_lifetime: Duration,
    ) -> Self {
        Self { refresh, revocations, clock, access_lifetime }
    }

    pub async fn end(&self, user: UserId, session: &str) -> Result<(), AppError> {
        self.refresh.revoke_family(session).await?;
        let now = self.clock.now();
        let until = TimeDelta::from_std(self.access_lifetime)
            .ok()
            .and_then(|lifetime| now.checked_add_signed(lifetime))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
        Ok(self.revocations.revoke_session(user, session, until).await?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;

    use super::*;
    use crate::Backend;
    use crate::ports::{MockAccessTokenRevocations, MockClock, MockRefreshTokenStore, RepoError};

    pub(crate) const LIFETIME: Duration = Duration::from_secs(86_400);

    /// An ending over these mocks, with a real clock.
    pub(crate) fn ending(
        refresh: MockRefreshTokenStore,
        revocations: MockAccessTokenRevocations,
    ) -> Arc<SessionEnding> {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        Arc::new(SessionEnding::new(Arc::new(refresh), Arc::new(revocations), Arc::new(clock), LIFETIME))
    }

    /// Mocks that expect `fam` of user 7 to be ended once, its family first.
    pub(crate) fn expecting_the_end_of_fam() -> (MockRefreshTokenStore, MockAccessTokenRevocations) {
        let mut sequence = mockall::Sequence::new();
        let mut refresh = MockRefreshTokenStore::new();
        refresh
            .expect_revoke_family()
            .withf(|family| family == "fam")
            .times(1)
            .in_sequence(&mut sequence)
            .returning(|_| Ok(()));
        let mut revocations = MockAccessTokenRevocations::new();
        revocations
            .expect_revoke_session()
            .withf(|user, session, until| {
                let reach = *until - Utc::now();
                *user == UserId(7) && session == "fam" && reach > TimeDelta::hours(23) && reach <= TimeDelta::hours(24)
            })
            .times(1)
            .in_sequence(&mut sequence)
            .returning(|_, _, _| Ok(()));
        (refresh, revocations)
    }

    #[tokio::test]
    async fn the_family_goes_first_then_every_access_token_of_the_session_for_a_token_s_lifetime() {
        let (refresh, revocations) = expecting_the_end_of_fam();
        assert_eq!(ending(refresh, revocations).end(UserId(7), "fam").await, Ok(()));
    }

    #[tokio::test]
    async fn a_family_that_cannot_be_revoked_ends_nothing_else_and_is_unavailable() {
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_revoke_family().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = ending(refresh, MockAccessTokenRevocations::new()).end(UserId(7), "fam").await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
