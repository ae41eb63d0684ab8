use std::sync::Arc;

use application::ports::{EmailChange, EmailChangeStore, RepoError};
use async_trait::async_trait;
use domain::User;

use super::AccountChanges;

/// New (pending) email addresses, announced so that the next profile read
/// shows them on every instance.
pub struct InvalidatingEmailChangeStore {
    inner: Arc<dyn EmailChangeStore>,
    changes: Arc<AccountChanges>,
}

impl InvalidatingEmailChangeStore {
    pub fn new(inner: Arc<dyn EmailChangeStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl EmailChangeStore for InvalidatingEmailChangeStore {
    async fn change_email(&self, change: &EmailChange) -> Result<Option<User>, RepoError> {
        let result = self.inner.change_email(change).await;
        self.changes.announce(change.user).await;
        result
    }
}
