use std::sync::Arc;

use application::ports::{RepoError, UserRepository};
use async_trait::async_trait;

use domain::{Email, LoginIdentifier, Mobile, NewUser, Profile, User, UserId};

use super::AccountChanges;

/// The user repository, announcing every write to an existing account so
/// that no instance answers from an older copy of it.
pub struct InvalidatingUserRepository {
    inner: Arc<dyn UserRepository>,
    changes: Arc<AccountChanges>,
}

impl InvalidatingUserRepository {
    pub fn new(inner: Arc<dyn UserRepository>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }

    async fn announced<T>(&self, user: UserId, result: Result<T, RepoError>) -> Result<T, RepoError> {
        self.changes.announce(user).await;
        result
    }
}

#[async_trait]
impl UserRepository for InvalidatingUserRepository {
    /// A new account is in nobody's memory yet.
    async fn insert(&self, user: NewUser) -> Result<User, RepoError> {
        self.inner.insert(user).await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        self.inner.find_by_id(id).await
    }

    async fn find_by_login(&self, identifier: &LoginIdentifier) -> Result<Option<User>, RepoError> {
        self.inner.find_by_login(identifier).await
    }

    async fn username_exists(&self, username: &str) -> Result<bool, RepoError> {
        self.inner.username_exists(username).await
    }

    async fn mobile_exists(&self, mobile: &Mobile) -> Result<bool, RepoError> {
        self.inner.mobile_exists(mobile).await
    }

    async fn email_exists(&self, email: &Email) -> Result<bool, RepoError> {
        self.inner.email_exists(email).await
    }

    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<Option<User>, RepoError> {
        let result = self.inner.update_profile(id, profile).await;
        self.announced(id, result).await
    }

    async fn set_mobile(&self, id: UserId, mobile: &Mobile) -> Result<Option<User>, RepoError> {
        let result = self.inner.set_mobile(id, mobile).await;
        self.announced(id, result).await
    }

    async fn activate_email(&self, id: UserId, email: &Email, version: i64) -> Result<bool, RepoError> {
        let result = self.inner.activate_email(id, email, version).await;
        self.announced(id, result).await
    }

    async fn discard_pending_email(&self, id: UserId) -> Result<Option<User>, RepoError> {
        let result = self.inner.discard_pending_email(id).await;
        self.announced(id, result).await
    }

    async fn update_password_hash(&self, id: UserId, hash: &str) -> Result<(), RepoError> {
        let result = self.inner.update_password_hash(id, hash).await;
        self.announced(id, result).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use application::ports::{MockUserRepository, TokenStanding};
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::StandingCache;

    fn repository(inner: MockUserRepository) -> (InvalidatingUserRepository, Arc<StandingCache>) {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(Arc::clone(&cache)));
        cache.remember(cache.ticket(), "jti", &TokenStanding { user: account(7), revoked: false });
        (InvalidatingUserRepository::new(Arc::new(inner), changes), cache)
    }

    #[tokio::test]
    async fn a_profile_change_drops_the_account() {
        let mut inner = MockUserRepository::new();
        inner.expect_update_profile().times(1).returning(|_, _| Ok(Some(account(7))));
        let (users, cache) = repository(inner);
        users.update_profile(UserId(7), &Profile::default()).await.unwrap();
        assert_eq!(cache.lookup(UserId(7), "jti"), None);
    }
}
