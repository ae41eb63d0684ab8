use std::sync::Arc;

use application::ports::{AccessTokenRevocations, RepoError, TokenStanding};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;

use super::StandingCache;
use crate::account_changes::AccountChanges;

/// Token standings answered from memory when this account and token were
/// read since the account last changed; logouts and "sign out everywhere"
/// are written through and announced.
pub struct CachedTokenStandings {
    inner: Arc<dyn AccessTokenRevocations>,
    cache: Arc<StandingCache>,
    changes: Arc<AccountChanges>,
}

impl CachedTokenStandings {
    pub fn new(
        inner: Arc<dyn AccessTokenRevocations>,
        cache: Arc<StandingCache>,
        changes: Arc<AccountChanges>,
    ) -> Self {
        Self { inner, cache, changes }
    }
}

#[async_trait]
impl AccessTokenRevocations for CachedTokenStandings {
    async fn standing<'a>(
        &self,
        user: UserId,
        token_id: &str,
        session: Option<&'a str>,
    ) -> Result<Option<TokenStanding>, RepoError> {
        if let Some(standing) = self.cache.lookup(user, token_id) {
            return Ok(Some(standing));
        }
        let ticket = self.cache.ticket();
        let standing = self.inner.standing(user, token_id, session).await?;
        if let Some(standing) = &standing
            && standing.user.id == user
        {
            self.cache.remember(ticket, token_id, standing);
        }
        Ok(standing)
    }

    async fn current_standing<'a>(
        &self,
        user: UserId,
        token_id: &str,
        session: Option<&'a str>,
    ) -> Result<Option<TokenStanding>, RepoError> {
        self.inner.standing(user, token_id, session).await
    }

    async fn revoke_session(&self, user: UserId, session: &str, until: DateTime<Utc>) -> Result<(), RepoError> {
        let result = self.inner.revoke_session(user, session, until).await;
        self.changes.announce(user).await;
        result
    }

    async fn revoke(&self, user: UserId, token_id: &str, until: DateTime<Utc>) -> Result<(), RepoError> {
        let result = self.inner.revoke(user, token_id, until).await;
        self.changes.announce(user).await;
        result
    }

    async fn revoke_all(&self, user: UserId) -> Result<i64, RepoError> {
        let result = self.inner.revoke_all(user).await;
        self.changes.announce(user).await;
        result
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use application::ports::MockAccessTokenRevocations;
    use chrono::Utc;
    use domain::User;
    use test_support::accounts::account;

    use super::*;
    use crate::account_changes::InstanceMemory;

    fn standing(version: i64, revoked: bool) -> TokenStanding {
        TokenStanding { user: User { username: "alice".into(), token_version: version, ..account(7) }, revoked }
    }

    fn cached(inner: MockAccessTokenRevocations) -> CachedTokenStandings {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(InstanceMemory::new(Arc::clone(&cache), None)));
        CachedTokenStandings::new(Arc::new(inner), cache, changes)
    }

    #[tokio::test]
    async fn a_token_read_once_is_answered_from_memory() {
        let mut inner = MockAccessTokenRevocations::new();
        inner.expect_standing().times(1).returning(|_, _, _| Ok(Some(standing(0, false))));
        let standings = cached(inner);
        for _ in 0..3 {
            assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(0, false))));
        }
    }

    #[tokio::test]
    async fn a_logout_is_read_from_the_database_on_the_next_request() {
        let mut inner = MockAccessTokenRevocations::new();
        let mut reads = 0;
        inner.expect_standing().times(2).returning(move |_, _, _| {
            reads += 1;
            Ok(Some(standing(0, reads > 1)))
        });
        inner.expect_revoke().times(1).returning(|_, _, _| Ok(()));
        let standings = cached(inner);
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(0, false))));
        standings.revoke(UserId(7), "jti", Utc::now()).await.unwrap();
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(0, true))));
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(0, true))), "now remembered");
    }

    #[tokio::test]
    async fn signing_out_everywhere_is_read_again_even_when_the_write_failed() {
        let mut inner = MockAccessTokenRevocations::new();
        let mut reads = 0;
        inner.expect_standing().times(2).returning(move |_, _, _| {
            reads += 1;
            Ok(Some(standing(reads, false)))
        });
        inner.expect_revoke_all().times(1).returning(|_| Err(RepoError::Unavailable("timed out".into())));
        let standings = cached(inner);
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(1, false))));
        assert!(standings.revoke_all(UserId(7)).await.is_err());
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(2, false))));
    }

    #[tokio::test]
    async fn the_current_standing_is_always_read_from_the_store() {
        let mut inner = MockAccessTokenRevocations::new();
        inner.expect_standing().times(3).returning(|_, _, _| Ok(Some(standing(0, false))));
        let standings = cached(inner);
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(0, false))));
        for _ in 0..2 {
            assert_eq!(standings.current_standing(UserId(7), "jti", None).await, Ok(Some(standing(0, false))));
        }
    }

    #[tokio::test]
    async fn unknown_users_and_outages_are_not_remembered() {
        let mut inner = MockAccessTokenRevocations::new();
        let mut reads = 0;
        inner.expect_standing().times(3).returning(move |_, _, _| {
            reads += 1;
            match reads {
                1 => Ok(None),
                2 => Err(RepoError::Unavailable("down".into())),
                _ => Ok(Some(standing(0, false))),
            }
        });
        let standings = cached(inner);
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(None));
        assert!(standings.standing(UserId(7), "jti", None).await.is_err());
        assert_eq!(standings.standing(UserId(7), "jti", None).await, Ok(Some(standing(0, false))));
    }
}
