use std::sync::Arc;

use application::ports::{LoginStore, NewLogin, RepoError};
use async_trait::async_trait;

use super::AccountChanges;

/// Logins, announced so that every instance keeps the account in memory with
/// its new `last_login` rather than reading it again.
pub struct InvalidatingLoginStore {
    inner: Arc<dyn LoginStore>,
    changes: Arc<AccountChanges>,
}

impl InvalidatingLoginStore {
    pub fn new(inner: Arc<dyn LoginStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl LoginStore for InvalidatingLoginStore {
    /// A stored login updates the remembered account in place; a failed one
    /// may or may not have been stored (a timeout after the commit), so it
    /// drops the account.
    async fn record_login(&self, login: &NewLogin) -> Result<String, RepoError> {
        let result = self.inner.record_login(login).await;
        match &result {
            Ok(_) => self.changes.announce_login(login.user, login.audit.at).await,
            Err(_) => self.changes.announce(login.user).await,
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use application::ports::{AuditEntry, AuditEvent, MockLoginStore, TokenStanding};
    use chrono::Utc;
    use domain::UserId;
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::StandingCache;

    fn store(inner: MockLoginStore) -> (InvalidatingLoginStore, Arc<StandingCache>) {
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(Arc::clone(&cache)));
        cache.remember(cache.ticket(), "jti", &TokenStanding { user: account(7), revoked: false });
        (InvalidatingLoginStore::new(Arc::new(inner), changes), cache)
    }

    fn login() -> NewLogin {
        NewLogin {
            user: UserId(7),
            session: "session".into(),
            audit: AuditEntry {
                user_id: Some(UserId(7)),
                event: AuditEvent::LoginSucceeded,
                ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                at: Utc::now(),
            },
            refresh_lifetime: Duration::from_secs(60),
        }
    }

    #[tokio::test]
    async fn a_stored_login_keeps_the_account_in_memory_with_its_new_time() {
        let mut inner = MockLoginStore::new();
        inner.expect_record_login().times(1).returning(|_| Ok("refresh".into()));
        let (logins, cache) = store(inner);
        let login = login();
        assert_eq!(logins.record_login(&login).await.unwrap(), "refresh");
        assert_eq!(cache.lookup(UserId(7), "jti").and_then(|s| s.user.last_login), Some(login.audit.at));
    }

    #[tokio::test]
    async fn a_login_that_may_not_have_been_stored_drops_the_account() {
        let mut inner = MockLoginStore::new();
        inner.expect_record_login().times(1).returning(|_| Err(RepoError::Unavailable("timed out".into())));
        let (logins, cache) = store(inner);
        assert!(logins.record_login(&login()).await.is_err());
        assert_eq!(cache.lookup(UserId(7), "jti"), None);
    }
}
