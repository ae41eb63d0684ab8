use async_trait::async_trait;

use domain::{Email, LoginIdentifier, Mobile, NewUser, Profile, User, UserId};

use super::RepoError;

/// Where accounts live. Usernames are unique case-insensitively, mobiles and
/// (lower-cased) verified emails exactly; the store's unique constraints decide
/// races. A pending (unverified) email is unique to nobody: every lookup and
/// existence check by email sees verified addresses only.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new user; a taken unique value gives [`RepoError::Conflict`].
    /// An email without `email_active` is stored as the pending address.
    async fn insert(&self, user: NewUser) -> Result<User, RepoError>;
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError>;
    async fn find_by_login(&self, identifier: &LoginIdentifier) -> Result<Option<User>, RepoError>;
    async fn username_exists(&self, username: &str) -> Result<bool, RepoError>;
    async fn mobile_exists(&self, mobile: &Mobile) -> Result<bool, RepoError>;
    /// Whether an account has verified `email` (a pending address does not count).
    async fn email_exists(&self, email: &Email) -> Result<bool, RepoError>;
    /// Replaces the profile fields and returns the updated user (`None` if it no longer exists).
    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<Option<User>, RepoError>;
    /// Sets the mobile; another account's mobile gives [`RepoError::Conflict`].
    async fn set_mobile(&self, id: UserId, mobile: &Mobile) -> Result<Option<User>, RepoError>;
    /// Makes `email` the user's verified address if it is their pending one
    /// and their token version is still `version` (a password reset or a
    /// sign-out everywhere since voids the link); `true` also when it is
    /// verified already (a link opened twice), `false` otherwise. Another
    /// account that verified it first gives [`RepoError::Conflict`] on `UniqueKey::Email`.
    async fn activate_email(&self, id: UserId, email: &Email, version: i64) -> Result<bool, RepoError>;
    /// Forgets the pending address (the person went back to the verified
    /// one); `None` when the user no longer exists.
    async fn discard_pending_email(&self, id: UserId) -> Result<Option<User>, RepoError>;
    /// Replaces the password hash (an upgrade of the same password's hash).
    async fn update_password_hash(&self, id: UserId, hash: &str) -> Result<(), RepoError>;
}
