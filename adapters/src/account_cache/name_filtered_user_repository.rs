use std::sync::Arc;

use application::ports::{RepoError, UserRepository};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{Email, LoginIdentifier, Mobile, NewUser, Profile, User, UserId};

use super::{AccountChanges, NewUserNames, TakenName, TakenNames};

/// The user repository, answering "is this name taken?" from the taken-names
/// filter when it is surely free, and telling the filters of every instance
/// each name a write takes.
///
/// A name is told before the write (the other instances stop calling it free
/// before it can commit) and again after it (a filter being built from the
/// table meanwhile may have read past the row before it committed).
pub struct NameFilteredUserRepository {
    inner: Arc<dyn UserRepository>,
    names: Arc<TakenNames>,
    changes: Arc<AccountChanges>,
}

impl NameFilteredUserRepository {
    pub fn new(inner: Arc<dyn UserRepository>, names: Arc<TakenNames>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, names, changes }
    }
}

#[async_trait]
impl UserRepository for NameFilteredUserRepository {
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
        if !self.names.may_be_taken(TakenName::Username(username)) {
            return Ok(false);
        }
        self.inner.username_exists(username).await
    }

    async fn mobile_exists(&self, mobile: &Mobile) -> Result<bool, RepoError> {
        if !self.names.may_be_taken(TakenName::Mobile(mobile.as_str())) {
            return Ok(false);
        }
        self.inner.mobile_exists(mobile).await
    }

    async fn email_exists(&self, email: &Email) -> Result<bool, RepoError> {
        if !self.names.may_be_taken(TakenName::Email(email.as_str())) {
            return Ok(false);
        }
        self.inner.email_exists(email).await
    }

    async fn record_login(&self, id: UserId, at: DateTime<Utc>) -> Result<(), RepoError> {
        self.inner.record_login(id, at).await
    }

    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<Option<User>, RepoError> {
        self.inner.update_profile(id, profile).await
    }

    async fn set_mobile(&self, id: UserId, mobile: &Mobile) -> Result<Option<User>, RepoError> {
        let names = [TakenName::Mobile(mobile.as_str())];
        self.changes.announce_all_taken(&names).await;
        let result = self.inner.set_mobile(id, mobile).await;
        self.changes.announce_all_taken(&names).await;
        result
    }

    async fn activate_email(&self, id: UserId, email: &Email, version: i64) -> Result<bool, RepoError> {
        let names = [TakenName::Email(email.as_str())];
        self.changes.announce_all_taken(&names).await;
        let result = self.inner.activate_email(id, email, version).await;
        self.changes.announce_all_taken(&names).await;
        result
    }

    async fn discard_pending_email(&self, id: UserId) -> Result<Option<User>, RepoError> {
        self.inner.discard_pending_email(id).await
    }

    async fn update_password_hash(&self, id: UserId, hash: &str) -> Result<(), RepoError> {
        self.inner.update_password_hash(id, hash).await
    }
}
