use std::sync::Arc;

use application::ports::{RepoError, UserRepository};
use async_trait::async_trait;
use domain::{Email, LoginIdentifier, Mobile, NewUser, Profile, User, UserId};

use crate::account_changes::AccountChanges;
use crate::taken_names::{NewUserNames, TakenName, TakenNames};

/// The user repository, announcing every write to an existing account so
/// that no instance answers from an older copy of it, and, with the
/// taken-names filter on, answering "is this name taken?" from the filter
/// when the name is surely free.
///
/// A name a write takes is told before the write (the other instances stop
/// calling it free before it can commit) and again after it (a filter being
/// built from the table meanwhile may have read past the row before it
/// committed).
pub struct CachedUserRepository {
    inner: Arc<dyn UserRepository>,
    changes: Arc<AccountChanges>,
    names: Option<Arc<TakenNames>>,
}

impl CachedUserRepository {
    pub fn new(inner: Arc<dyn UserRepository>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes, names: None }
    }

    /// Answers availability checks of surely free names from `names`, which
    /// `changes` must be telling every name taken.
    #[must_use]
    pub fn filtered_by(mut self, names: Arc<TakenNames>) -> Self {
        self.names = Some(names);
        self
    }

    async fn announced<T>(&self, user: UserId, result: Result<T, RepoError>) -> Result<T, RepoError> {
        self.changes.announce(user).await;
        result
    }

    fn surely_free(&self, name: TakenName<'_>) -> bool {
        self.names.as_ref().is_some_and(|names| !names.may_be_taken(name))
    }
}

#[async_trait]
impl UserRepository for CachedUserRepository {
    /// A new account is in nobody's memory yet: only the names it takes are told.
    async fn insert(&self, user: NewUser) -> Result<User, RepoError> {
        let names = NewUserNames::of(&user);
        self.changes.announce_all_taken(&names.list()).await;
        let result = self.inner.insert(user).await;
        self.changes.announce_all_taken(&names.list()).await;
        result
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        self.inner.find_by_id(id).await
    }

    async fn find_by_login(&self, identifier: &LoginIdentifier) -> Result<Option<User>, RepoError> {
        self.inner.find_by_login(identifier).await
    }

    async fn username_exists(&self, username: &str) -> Result<bool, RepoError> {
        if self.surely_free(TakenName::Username(username)) {
            return Ok(false);
        }
        self.inner.username_exists(username).await
    }

    async fn mobile_exists(&self, mobile: &Mobile) -> Result<bool, RepoError> {
        if self.surely_free(TakenName::Mobile(mobile.as_str())) {
            return Ok(false);
        }
        self.inner.mobile_exists(mobile).await
    }

    async fn email_exists(&self, email: &Email) -> Result<bool, RepoError> {
        if self.surely_free(TakenName::Email(email.as_str())) {
            return Ok(false);
        }
        self.inner.email_exists(email).await
    }

    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<Option<User>, RepoError> {
        let result = self.inner.update_profile(id, profile).await;
        self.announced(id, result).await
    }

    async fn set_mobile(&self, id: UserId, mobile: &Mobile) -> Result<Option<User>, RepoError> {
        let names = [TakenName::Mobile(mobile.as_str())];
        self.changes.announce_all_taken(&names).await;
        let result = self.inner.set_mobile(id, mobile).await;
        let result = self.announced(id, result).await;
        self.changes.announce_all_taken(&names).await;
        result
    }

    async fn activate_email(&self, id: UserId, email: &Email, version: i64) -> Result<bool, RepoError> {
        let names = [TakenName::Email(email.as_str())];
        self.changes.announce_all_taken(&names).await;
        let result = self.inner.activate_email(id, email, version).await;
        let result = self.announced(id, result).await;
        self.changes.announce_all_taken(&names).await;
        result
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
    use crate::account_changes::InstanceMemory;
    use crate::taken_names::built_without_accounts as ready_names;

    fn repository(inner: MockUserRepository) -> (CachedUserRepository, Arc<StandingCache>) {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(InstanceMemory::new(Arc::clone(&cache), None)));
        cache.remember(cache.ticket(), "jti", &TokenStanding { user: account(7), revoked: false });
        (CachedUserRepository::new(Arc::new(inner), changes), cache)
    }

    fn filtered(inner: MockUserRepository, names: &Arc<TakenNames>) -> CachedUserRepository {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(InstanceMemory::new(cache, Some(names.clone()))));
        CachedUserRepository::new(Arc::new(inner), changes).filtered_by(names.clone())
    }

    fn mobile() -> Mobile {
        Mobile::parse("13800138000").unwrap()
    }

    #[tokio::test]
    async fn a_profile_change_drops_the_account() {
        let mut inner = MockUserRepository::new();
        inner.expect_update_profile().times(1).returning(|_, _| Ok(Some(account(7))));
        let (users, cache) = repository(inner);
        users.update_profile(UserId(7), &Profile::default()).await.unwrap();
        assert_eq!(cache.lookup(UserId(7), "jti"), None);
    }

    #[tokio::test]
    async fn a_surely_free_name_is_answered_without_the_database() {
        // The mock expects no call: one would panic.
        let users = filtered(MockUserRepository::new(), &ready_names().await);
        assert_eq!(users.username_exists("nobody").await, Ok(false));
        assert_eq!(users.mobile_exists(&mobile()).await, Ok(false));
        assert_eq!(users.email_exists(&Email::parse("nobody@example.com").unwrap()).await, Ok(false));
    }

    #[tokio::test]
    async fn a_name_taken_before_the_write_answers_is_asked_of_the_database() {
        let names = ready_names().await;
        let seen_before_insert = Arc::new(parking_lot::Mutex::new(None));
        let (seen, check) = (seen_before_insert.clone(), names.clone());
        let mut inner = MockUserRepository::new();
        inner.expect_insert().times(1).returning(move |_| {
            *seen.lock() = Some(check.may_be_taken(TakenName::Username("alice_1")));
            Ok(account(7))
        });
        inner.expect_username_exists().times(1).returning(|_| Ok(true));
        inner.expect_mobile_exists().times(1).returning(|_| Ok(true));
        let users = filtered(inner, &names);
        let new_user = NewUser {
            username: "Alice_1".into(),
            mobile: Some(mobile()),
            email: None,
            email_active: false,
            password_hash: None,
            date_joined: chrono::Utc::now(),
        };
        users.insert(new_user).await.unwrap();
        assert_eq!(*seen_before_insert.lock(), Some(true), "noted before the row can commit");
        assert!(names.may_be_taken(TakenName::Username("alice_1")));
        assert_eq!(users.username_exists("ALICE_1").await, Ok(true));
        assert_eq!(users.mobile_exists(&mobile()).await, Ok(true));
    }
}
