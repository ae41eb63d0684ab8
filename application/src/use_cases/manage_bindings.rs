use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::UserId;

use crate::ports::{OAuthIdentityRepository, OAuthProvider, Unbinding};
use crate::{AppError, Field, FieldError, Problem};

/// A provider bound to the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub provider: OAuthProvider,
    /// When the first identity of the provider was bound.
    pub bound_at: DateTime<Utc>,
}

/// `GET /user/oauth/` and `DELETE /user/oauth/{provider}/`: the third-party
/// logins of the signed-in user, and removing one unless it is the user's
/// last way to log in.
pub struct ManageBindings {
    identities: Arc<dyn OAuthIdentityRepository>,
}

impl ManageBindings {
    pub fn new(identities: Arc<dyn OAuthIdentityRepository>) -> Self {
        Self { identities }
    }

    /// One entry per provider, oldest binding first.
    pub async fn list(&self, user: UserId) -> Result<Vec<Binding>, AppError> {
        let mut bindings: Vec<Binding> = Vec::new();
        for identity in self.identities.list_for_user(user).await? {
            if !bindings.iter().any(|binding| binding.provider == identity.key.provider) {
                bindings.push(Binding { provider: identity.key.provider, bound_at: identity.bound_at });
            }
        }
        Ok(bindings)
    }

    pub async fn unbind(&self, user: UserId, provider: &str) -> Result<(), AppError> {
        let provider = OAuthProvider::parse(provider).ok_or(AppError::NotFound)?;
        match self.identities.unbind(user, provider).await? {
            Unbinding::Removed(0) => Err(AppError::NotFound),
            Unbinding::Removed(_) => Ok(()),
            Unbinding::LastWayToLogIn => {
                Err(AppError::Conflict(FieldError::new(Field::NonField, Problem::LastWayToLogIn)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{BoundIdentity, IdentityKey, MockOAuthIdentityRepository};

    fn bound(provider: OAuthProvider, openid: &str, seconds: i64) -> BoundIdentity {
        BoundIdentity {
            key: IdentityKey { provider, app_id: "app".into(), openid: openid.into() },
            unionid: None,
            user_id: UserId(1),
            bound_at: DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn bindings_are_listed_once_per_provider_with_the_first_binding_time() {
        let mut identities = MockOAuthIdentityRepository::new();
        identities.expect_list_for_user().returning(|_| {
            Ok(vec![
                bound(OAuthProvider::Qq, "a", 0),
                bound(OAuthProvider::WechatMiniProgram, "b", 5),
                bound(OAuthProvider::Qq, "c", 9),
            ])
        });
        let listed = ManageBindings::new(Arc::new(identities)).list(UserId(1)).await.unwrap();
        let providers: Vec<_> = listed.iter().map(|b| (b.provider, b.bound_at.timestamp())).collect();
        assert_eq!(providers, [(OAuthProvider::Qq, 1_800_000_000), (OAuthProvider::WechatMiniProgram, 1_800_000_005)]);
    }

    #[tokio::test]
    async fn unbinding_answers_removed_not_bound_last_way_and_unknown_providers() {
        let cases = [
            (Unbinding::Removed(1), Ok(())),
            (Unbinding::Removed(0), Err(AppError::NotFound)),
            (
                Unbinding::LastWayToLogIn,
                Err(AppError::Conflict(FieldError::new(Field::NonField, Problem::LastWayToLogIn))),
            ),
        ];
        for (outcome, expected) in cases {
            let mut identities = MockOAuthIdentityRepository::new();
            identities
                .expect_unbind()
                .withf(|user, provider| *user == UserId(1) && *provider == OAuthProvider::Qq)
                .returning(move |_, _| Ok(outcome));
            assert_eq!(ManageBindings::new(Arc::new(identities)).unbind(UserId(1), "qq").await, expected);
        }
        let unknown =
            ManageBindings::new(Arc::new(MockOAuthIdentityRepository::new())).unbind(UserId(1), "weibo").await;
        assert_eq!(unknown, Err(AppError::NotFound));
    }
}
