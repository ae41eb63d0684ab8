use std::sync::Arc;

use application::ports::{
    BoundIdentity, IdentityKey, NewIdentity, OAuthIdentityRepository, OAuthProvider, RepoError, Unbinding,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{NewUser, User, UserId};

use super::{AccountChanges, NewUserNames};

/// The OAuth identities, telling the taken-names filters of every instance
/// the names of an account created at a first QQ or WeChat login (it is
/// inserted here, not through the user repository), before and after the write.
pub struct NameNotingOAuthIdentities {
    inner: Arc<dyn OAuthIdentityRepository>,
    changes: Arc<AccountChanges>,
}

impl NameNotingOAuthIdentities {
    pub fn new(inner: Arc<dyn OAuthIdentityRepository>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl OAuthIdentityRepository for NameNotingOAuthIdentities {
    async fn find(&self, key: &IdentityKey) -> Result<Option<BoundIdentity>, RepoError> {
        self.inner.find(key).await
    }

    async fn find_by_unionid(&self, providers: &[OAuthProvider], unionid: &str) -> Result<Option<UserId>, RepoError> {
        self.inner.find_by_unionid(providers, unionid).await
    }

    async fn bind(&self, identity: &NewIdentity, user: UserId, at: DateTime<Utc>) -> Result<(), RepoError> {
        self.inner.bind(identity, user, at).await
    }

    async fn create_user_with_identity(
        &self,
        user: NewUser,
        identity: &NewIdentity,
        at: DateTime<Utc>,
    ) -> Result<User, RepoError> {
        let names = NewUserNames::of(&user);
        self.changes.announce_all_taken(&names.list()).await;
        let result = self.inner.create_user_with_identity(user, identity, at).await;
        self.changes.announce_all_taken(&names.list()).await;
        result
    }

    async fn list_for_user(&self, user: UserId) -> Result<Vec<BoundIdentity>, RepoError> {
        self.inner.list_for_user(user).await
    }

    async fn unbind(&self, user: UserId, provider: OAuthProvider) -> Result<Unbinding, RepoError> {
        self.inner.unbind(user, provider).await
    }
}
