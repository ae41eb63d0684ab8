use std::sync::Arc;

use domain::{User, UserId};

use crate::ports::UserRepository;
use crate::{AppError, AuthFailure};

/// The account behind an authenticated request.
pub struct GetCurrentUser {
    users: Arc<dyn UserRepository>,
}

impl GetCurrentUser {
    pub fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users }
    }

    pub async fn execute(&self, id: UserId) -> Result<User, AppError> {
        // A valid token whose account is gone must not look like a server fault.
        self.users.find_by_id(id).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backend;
    use crate::ports::{MockUserRepository, RepoError};
    use crate::use_cases::log_in::tests::stored_user;

    #[tokio::test]
    async fn returns_the_stored_user() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().withf(|id| *id == UserId(1)).returning(|_| Ok(Some(stored_user())));
        let user = GetCurrentUser::new(Arc::new(users)).execute(UserId(1)).await.unwrap();
        assert_eq!(user.username, "alice");
    }

    #[tokio::test]
    async fn a_deleted_account_is_unauthenticated() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(None));
        let got = GetCurrentUser::new(Arc::new(users)).execute(UserId(1)).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = GetCurrentUser::new(Arc::new(users)).execute(UserId(1)).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
