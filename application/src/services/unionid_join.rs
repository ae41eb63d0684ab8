//! One person, one account: an identity first seen on one app of a provider
//! joins the account its unionid already has on another.

use chrono::{DateTime, Utc};
use domain::UserId;

use crate::AppError;
use crate::ports::{NewIdentity, OAuthIdentityRepository, RepoError, UniqueKey};

/// The user the identity's unionid already belongs to within its provider's
/// family, with the identity now bound to them too; `None` when the unionid is
/// absent or new.
pub(crate) async fn join_by_unionid(
    identities: &dyn OAuthIdentityRepository,
    identity: &NewIdentity,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, AppError> {
    let Some(unionid) = &identity.unionid else { return Ok(None) };
    let family = identity.key.provider.unionid_family();
    let Some(user_id) = identities.find_by_unionid(family, unionid).await? else { return Ok(None) };
    match identities.bind(identity, user_id, now).await {
        // A concurrent first login bound it already: to the same person.
        Ok(()) | Err(RepoError::Conflict(UniqueKey::Identity)) => Ok(Some(user_id)),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{IdentityKey, MockOAuthIdentityRepository, OAuthProvider};

    fn website_identity(unionid: Option<&str>) -> NewIdentity {
        NewIdentity {
            key: IdentityKey { provider: OAuthProvider::WechatWeb, app_id: "wx-web".into(), openid: "OPENID".into() },
            unionid: unionid.map(str::to_owned),
        }
    }

    async fn join(identities: MockOAuthIdentityRepository, unionid: Option<&str>) -> Result<Option<UserId>, AppError> {
        join_by_unionid(&identities, &website_identity(unionid), Utc::now()).await
    }

    fn knowing(user: Option<i64>) -> MockOAuthIdentityRepository {
        let mut identities = MockOAuthIdentityRepository::new();
        identities
            .expect_find_by_unionid()
            .withf(|family, unionid| {
                family == [OAuthProvider::WechatMiniProgram, OAuthProvider::WechatWeb] && unionid == "UNION"
            })
            .returning(move |_, _| Ok(user.map(UserId)));
        identities
    }

    #[tokio::test]
    async fn without_a_unionid_or_with_an_unknown_one_nobody_is_joined() {
        // No expectations: asking the repository without a unionid fails the test.
        assert_eq!(join(MockOAuthIdentityRepository::new(), None).await, Ok(None));
        assert_eq!(join(knowing(None), Some("UNION")).await, Ok(None));
    }

    #[tokio::test]
    async fn a_known_unionid_binds_the_identity_to_its_user_even_when_a_concurrent_login_did_already() {
        for answer in [Ok(()), Err(RepoError::Conflict(UniqueKey::Identity))] {
            let mut identities = knowing(Some(7));
            identities
                .expect_bind()
                .withf(|_, user, _| *user == UserId(7))
                .times(1)
                .returning(move |_, _, _| answer.clone());
            assert_eq!(join(identities, Some("UNION")).await, Ok(Some(UserId(7))));
        }
    }

    #[tokio::test]
    async fn a_database_outage_while_binding_is_unavailable() {
        let mut identities = knowing(Some(7));
        identities.expect_bind().returning(|_, _, _| Err(RepoError::Unavailable("down".into())));
        assert_eq!(join(identities, Some("UNION")).await, Err(AppError::Unavailable(crate::Backend::Database)));
    }
}
