use std::sync::Arc;

use application::ports::{NewRegistration, Registration, RegistrationStore, RepoError};
use async_trait::async_trait;

use super::{AccountChanges, NewUserNames};

/// Registrations, telling the taken-names filters of every instance the names
/// of the new account before the write (the other instances stop calling them
/// free before it can commit) and again after it (a filter being built from
/// the table meanwhile may have read past the row before it committed).
pub struct NameNotingRegistrationStore {
    inner: Arc<dyn RegistrationStore>,
    changes: Arc<AccountChanges>,
}

impl NameNotingRegistrationStore {
    pub fn new(inner: Arc<dyn RegistrationStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl RegistrationStore for NameNotingRegistrationStore {
    async fn register(&self, registration: &NewRegistration) -> Result<Registration, RepoError> {
        let names = NewUserNames::of(&registration.user);
        self.changes.announce_all_taken(&names.list()).await;
        let result = self.inner.register(registration).await;
        self.changes.announce_all_taken(&names.list()).await;
        result
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use application::ports::MockRegistrationStore;
    use chrono::Utc;
    use domain::{Email, NewUser};
    use test_support::accounts::account;

    use super::*;
    use crate::account_cache::taken_names::built_without_accounts;
    use crate::account_cache::{StandingCache, TakenName};

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
        let cache = Arc::new(StandingCache::new(100, Duration::from_secs(60), true));
        let changes = Arc::new(AccountChanges::local(cache).noting_names(names.clone()));
        let store = NameNotingRegistrationStore::new(Arc::new(inner), changes);
        let user = NewUser {
            username: "newcomer".into(),
            mobile: None,
            email: Some(Email::parse("new@example.com").unwrap()),
            email_active: true,
            password_hash: Some("$argon2id$hash".into()),
            date_joined: Utc::now(),
        };
        let registration = NewRegistration { user, refresh_lifetime: Duration::from_secs(60) };
        assert_eq!(store.register(&registration).await.unwrap().refresh_token, "refresh");
        assert!(!names.may_be_taken(TakenName::Username("someone_else")));
    }
}
