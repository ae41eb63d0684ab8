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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use application::ports::MockOAuthIdentityRepository;
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::taken_names::built_without_accounts;
    use crate::account_cache::{StandingCache, TakenName};

    #[tokio::test]
    async fn the_names_of_an_account_created_at_a_first_provider_login_are_taken() {
        let names = built_without_accounts().await;
        let check = names.clone();
        let mut inner = MockOAuthIdentityRepository::new();
        inner.expect_create_user_with_identity().times(1).returning(move |_, _, _| {
            assert!(check.may_be_taken(TakenName::Username("qq_4f2a9c")), "noted before the row can commit");
            Ok(account(9))
        });
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(cache).noting_names(names.clone()));
        let identities = NameNotingOAuthIdentities::new(Arc::new(inner), changes);
        let user = NewUser {
            username: "qq_4f2a9c".into(),
            mobile: None,
            email: None,
            email_active: false,
            password_hash: None,
            date_joined: Utc::now(),
        };
        let identity = NewIdentity {
            key: IdentityKey { provider: OAuthProvider::Qq, app_id: "app".into(), openid: "OPENID".into() },
            unionid: None,
        };
        identities.create_user_with_identity(user, &identity, Utc::now()).await.unwrap();
        assert!(names.may_be_taken(TakenName::Username("QQ_4f2a9c")));
        assert!(!names.may_be_taken(TakenName::Username("qq_other")));
    }
}
