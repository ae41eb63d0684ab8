use std::sync::Arc;

use application::ports::{NewPassword, PasswordChangeStore, RepoError};
use async_trait::async_trait;

use super::AccountChanges;

/// New passwords (which also end every session of the old one), announced
/// so that no instance keeps answering for a token they voided.
pub struct InvalidatingPasswordChangeStore {
    inner: Arc<dyn PasswordChangeStore>,
    changes: Arc<AccountChanges>,
}

impl InvalidatingPasswordChangeStore {
    pub fn new(inner: Arc<dyn PasswordChangeStore>, changes: Arc<AccountChanges>) -> Self {
        Self { inner, changes }
    }
}

#[async_trait]
impl PasswordChangeStore for InvalidatingPasswordChangeStore {
    async fn replace_password(&self, change: &NewPassword) -> Result<bool, RepoError> {
        let result = self.inner.replace_password(change).await;
        self.changes.announce(change.user).await;
        result
    }
}
