use std::sync::Arc;

use application::ports::{
    AccountDeletions, BoundIdentity, EmailChange, EmailChangeStore, ErasedAccount, IdentityKey, LoginStore,
    NewIdentity, NewLogin, NewPassword, NewRegistration, OAuthIdentityRepository, OAuthProvider, PasswordChangeStore,
    Registration, RegistrationStore, RepoError, StoredLogin, Unbinding,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{NewUser, User, UserId};

use crate::account_changes::AccountChanges;
use crate::taken_names::NewUserNames;

/// Logins, announced so that every instance keeps the account in memory with
/// its new `last_login` rather than reading it again.
pub struct AnnouncingLoginStore {
    inner: Arc<dyn LoginStore>,
    changes: Arc<AccountChanges>,
}

impl AnnouncingLoginStore {
    pub fn new(inner: Arc<dyn LoginStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl LoginStore for AnnouncingLoginStore {
    /// A stored login updates the remembered account in place; a failed one
    /// may or may not have been stored (a timeout after the commit), so it
    /// drops the account.
    async fn record_login(&self, login: &NewLogin) -> Result<Option<StoredLogin>, RepoError> {
        let result = self.inner.record_login(login).await;
        match &result {
            Ok(Some(_)) => self.changes.announce_login(login.user, login.audit.at).await,
            // Gone, or perhaps stored: memory must not keep it either way.
            Ok(None) | Err(_) => self.changes.announce(login.user).await,
        }
        result
    }
}

/// Deletions, announced so that no instance keeps answering from memory for
/// an account scheduled for erasure or erased. Scheduling also ends every
/// session (announced by the revocations), but it writes the row by itself
/// first, and an erased account must stop working everywhere at once.
pub struct AnnouncingAccountDeletions {
    inner: Arc<dyn AccountDeletions>,
    changes: Arc<AccountChanges>,
}

impl AnnouncingAccountDeletions {
    pub fn new(inner: Arc<dyn AccountDeletions>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl AccountDeletions for AnnouncingAccountDeletions {
    async fn schedule(&self, user: UserId, delete_after: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, RepoError> {
        let result = self.inner.schedule(user, delete_after).await;
        self.changes.announce(user).await;
        result
    }

    async fn erase_next_due(&self, now: DateTime<Utc>, pseudonym: &str) -> Result<Option<ErasedAccount>, RepoError> {
        let result = self.inner.erase_next_due(now, pseudonym).await;
        if let Ok(Some(erased)) = &result {
            self.changes.announce(erased.user).await;
        }
        result
    }
}

/// New passwords (which also end every session of the old one), announced
/// so that no instance keeps answering for a token they voided.
pub struct AnnouncingPasswordChangeStore {
    inner: Arc<dyn PasswordChangeStore>,
    changes: Arc<AccountChanges>,
}

impl AnnouncingPasswordChangeStore {
    pub fn new(inner: Arc<dyn PasswordChangeStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl PasswordChangeStore for AnnouncingPasswordChangeStore {
    async fn replace_password(&self, change: &NewPassword) -> Result<bool, RepoError> {
        let result = self.inner.replace_password(change).await;
        self.changes.announce(change.user).await;
        result
    }
}

/// New (pending) email addresses, announced so that the next profile read
/// shows them on every instance.
pub struct AnnouncingEmailChangeStore {
    inner: Arc<dyn EmailChangeStore>,
    changes: Arc<AccountChanges>,
}

impl AnnouncingEmailChangeStore {
    pub fn new(inner: Arc<dyn EmailChangeStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl EmailChangeStore for AnnouncingEmailChangeStore {
    async fn change_email(&self, change: &EmailChange) -> Result<Option<User>, RepoError> {
        let result = self.inner.change_email(change).await;
        self.changes.announce(change.user).await;
        result
    }
}

/// Registrations, telling the taken-names filters of every instance the names
/// of the new account before the write (the other instances stop calling them
/// free before it can commit) and again after it (a filter being built from
/// the table meanwhile may have read past the row before it committed). The
/// account itself is in nobody's memory yet.
pub struct AnnouncingRegistrationStore {
    inner: Arc<dyn RegistrationStore>,
    changes: Arc<AccountChanges>,
}

impl AnnouncingRegistrationStore {
    pub fn new(inner: Arc<dyn RegistrationStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl RegistrationStore for AnnouncingRegistrationStore {
    async fn register(&self, registration: &NewRegistration) -> Result<Registration, RepoError> {
        let names = NewUserNames::of(&registration.user);
        self.changes.announce_all_taken(&names.list()).await;
        let result = self.inner.register(registration).await;
        self.changes.announce_all_taken(&names.list()).await;
        result
    }
}

/// The OAuth identities, telling the taken-names filters of every instance
/// the names of an account created at a first QQ or WeChat login (it is
/// inserted here, not through the user repository), before and after the write.
pub struct AnnouncingOAuthIdentities {
    inner: Arc<dyn OAuthIdentityRepository>,
    changes: Arc<AccountChanges>,
}

impl AnnouncingOAuthIdentities {
    pub fn new(inner: Arc<dyn OAuthIdentityRepository>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl OAuthIdentityRepository for AnnouncingOAuthIdentities {
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
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use application::ports::{
        AuditEntry, AuditEvent, MockAccountDeletions, MockLoginStore, MockOAuthIdentityRepository,
        MockRegistrationStore, SignInOrigin, TokenStanding,
    };
    use domain::Email;
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::StandingCache;
    use crate::account_changes::InstanceMemory;
    use crate::taken_names::{TakenName, TakenNames, built_without_accounts};

    fn noting(names: &Arc<TakenNames>) -> Arc<AccountChanges> {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        Arc::new(AccountChanges::local(InstanceMemory::new(cache, Some(names.clone()))))
    }

    fn store(inner: MockLoginStore) -> (AnnouncingLoginStore, Arc<StandingCache>) {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(InstanceMemory::new(Arc::clone(&cache), None)));
        cache.remember(cache.ticket(), "jti", &TokenStanding { user: account(7), revoked: false });
        (AnnouncingLoginStore::new(Arc::new(inner), changes), cache)
    }

    fn login() -> NewLogin {
        NewLogin {
            user: UserId(7),
            session: "session".into(),
            audit: AuditEntry::new(
                Some(UserId(7)),
                AuditEvent::LoginSucceeded,
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                Utc::now(),
            ),
            refresh_lifetime: Duration::from_secs(60),
        }
    }

    #[tokio::test]
    async fn a_stored_login_keeps_the_account_in_memory_with_its_new_time() {
        let mut inner = MockLoginStore::new();
        inner
            .expect_record_login()
            .times(1)
            .returning(|_| Ok(Some(StoredLogin { refresh_token: "refresh".into(), restored: false })));
        let (logins, cache) = store(inner);
        let login = login();
        assert_eq!(
            logins.record_login(&login).await.unwrap().map(|stored| stored.refresh_token).as_deref(),
            Some("refresh")
        );
        assert_eq!(cache.lookup(UserId(7), "jti").and_then(|s| s.user.last_login), Some(login.audit.at));
    }

    #[tokio::test]
    async fn an_erased_account_is_dropped_from_memory() {
        let mut inner = MockAccountDeletions::new();
        inner.expect_erase_next_due().times(1).returning(|_, p| {
            Ok(Some(ErasedAccount { user: UserId(7), pseudonym: p.to_owned(), mobile: None, emails: Vec::new() }))
        });
        let (_, cache) = store(MockLoginStore::new());
        let changes = Arc::new(AccountChanges::local(InstanceMemory::new(Arc::clone(&cache), None)));
        let deletions = AnnouncingAccountDeletions::new(Arc::new(inner), changes);
        assert!(cache.lookup(UserId(7), "jti").is_some());
        assert!(deletions.erase_next_due(Utc::now(), "erased:1").await.unwrap().is_some());
        assert_eq!(cache.lookup(UserId(7), "jti"), None);
    }

    #[tokio::test]
    async fn a_login_that_may_not_have_been_stored_drops_the_account() {
        let mut inner = MockLoginStore::new();
        inner.expect_record_login().times(1).returning(|_| Err(RepoError::Unavailable("timed out".into())));
        let (logins, cache) = store(inner);
        assert!(logins.record_login(&login()).await.is_err());
        assert_eq!(cache.lookup(UserId(7), "jti"), None);
    }

    #[tokio::test]
    async fn the_names_of_a_new_account_are_taken_before_it_is_stored() {
        let names = built_without_accounts().await;
        let check = names.clone();
        let mut inner = MockRegistrationStore::new();
        inner.expect_register().times(1).returning(move |_| {
            assert!(check.may_be_taken(TakenName::Username("Newcomer")), "noted before the row can commit");
            assert!(check.may_be_taken(TakenName::Email("new@example.com")), "noted before the row can commit");
            Ok(Registration { user: account(9), refresh_token: "refresh".into(), session: "fam".into() })
        });
        let store = AnnouncingRegistrationStore::new(Arc::new(inner), noting(&names));
        let user = NewUser {
            username: "newcomer".into(),
            mobile: None,
            email: Some(Email::parse("new@example.com").unwrap()),
            email_active: true,
            password_hash: Some("$argon2id$hash".into()),
            date_joined: Utc::now(),
        };
        let registration = NewRegistration {
            user,
            refresh_lifetime: Duration::from_secs(60),
            origin: SignInOrigin::new(IpAddr::V4(Ipv4Addr::LOCALHOST), "Firefox on Linux"),
        };
        assert_eq!(store.register(&registration).await.unwrap().refresh_token, "refresh");
        assert!(!names.may_be_taken(TakenName::Username("someone_else")));
    }

    #[tokio::test]
    async fn the_names_of_an_account_created_at_a_first_provider_login_are_taken() {
        let names = built_without_accounts().await;
        let check = names.clone();
        let mut inner = MockOAuthIdentityRepository::new();
        inner.expect_create_user_with_identity().times(1).returning(move |_, _, _| {
            assert!(check.may_be_taken(TakenName::Username("qq_4f2a9c")), "noted before the row can commit");
            Ok(account(9))
        });
        let identities = AnnouncingOAuthIdentities::new(Arc::new(inner), noting(&names));
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
