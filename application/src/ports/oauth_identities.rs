use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{NewUser, User, UserId};

use super::RepoError;

/// A third-party login provider (one app of it is one `app_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OAuthProvider {
    Qq,
    WechatMiniProgram,
    WechatWeb,
}

impl OAuthProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Qq => "qq",
            Self::WechatMiniProgram => "wechat_mp",
            Self::WechatWeb => "wechat_web",
        }
    }

    /// The company behind the provider, as a failure of its API is reported
    /// (`AppError::Upstream`): `qq` or `wechat`.
    pub fn company(self) -> &'static str {
        match self {
            Self::Qq => "qq",
            Self::WechatMiniProgram | Self::WechatWeb => "wechat",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Qq, Self::WechatMiniProgram, Self::WechatWeb].into_iter().find(|p| p.as_str() == raw)
    }

    /// The providers whose identities share unionids with this one's: the
    /// same unionid there is the same person, so the same account.
    pub fn unionid_family(self) -> &'static [OAuthProvider] {
        match self {
            Self::Qq => &[Self::Qq],
            Self::WechatMiniProgram | Self::WechatWeb => &[Self::WechatMiniProgram, Self::WechatWeb],
        }
    }
}

/// Who a person is at a provider: openids are per app, so the app is part of the key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityKey {
    pub provider: OAuthProvider,
    pub app_id: String,
    pub openid: String,
}

/// An identity to bind, with the provider's cross-app `unionid` when it gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentity {
    pub key: IdentityKey,
    pub unionid: Option<String>,
}

/// What an unbinding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unbinding {
    /// This many identities of the provider were removed (0: none was bound).
    Removed(u64),
    /// Nothing was removed: the identities are the user's last way to log in.
    LastWayToLogIn,
}

/// One identity bound to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundIdentity {
    pub key: IdentityKey,
    pub unionid: Option<String>,
    pub user_id: UserId,
    pub bound_at: DateTime<Utc>,
}

/// The `oauth_identities` table: which user each provider identity logs in as.
/// An identity is bound to at most one user (the unique key decides races:
/// [`RepoError::Conflict`] on [`UniqueKey::Identity`](super::UniqueKey::Identity)).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OAuthIdentityRepository: Send + Sync {
    async fn find(&self, key: &IdentityKey) -> Result<Option<BoundIdentity>, RepoError>;
    /// The user an identity of one of `providers` with this unionid is bound to
    /// (one person across a provider's apps, e.g. WeChat mini-program and website).
    async fn find_by_unionid(&self, providers: &[OAuthProvider], unionid: &str) -> Result<Option<UserId>, RepoError>;
    async fn bind(&self, identity: &NewIdentity, user: UserId, at: DateTime<Utc>) -> Result<(), RepoError>;
    /// Creates the user and binds the identity in one transaction: both or neither.
    async fn create_user_with_identity(
        &self,
        user: NewUser,
        identity: &NewIdentity,
        at: DateTime<Utc>,
    ) -> Result<User, RepoError>;
    async fn list_for_user(&self, user: UserId) -> Result<Vec<BoundIdentity>, RepoError>;
    /// Removes the user's identities of `provider`, unless they are the user's
    /// last way to log in (no password and no other provider). Checked and
    /// done under a lock on the user, so two concurrent unbindings cannot
    /// together leave the account without any.
    async fn unbind(&self, user: UserId, provider: OAuthProvider) -> Result<Unbinding, RepoError>;
}
