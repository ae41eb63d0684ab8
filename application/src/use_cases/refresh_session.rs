use std::sync::Arc;

use crate::ports::{Rotation, SignInOrigin, UserRepository};
use crate::{AppError, AuthFailure, Session, SessionEnding, SessionIssuer};

/// Exchanges a refresh token for a new access token and the refresh token's
/// successor. A replayed (already rotated) token ends its whole session (the
/// family and every access token of it), so a stolen copy and the legitimate
/// client both lose the session and the person must log in again.
pub struct RefreshSession {
    sessions: Arc<SessionIssuer>,
    users: Arc<dyn UserRepository>,
    ending: Arc<SessionEnding>,
}

impl RefreshSession {
    pub fn new(sessions: Arc<SessionIssuer>, users: Arc<dyn UserRepository>, ending: Arc<SessionEnding>) -> Self {
        Self { sessions, users, ending }
    }

    /// `origin` is where the exchange came from: the session's latest use, audited.
    pub async fn execute(&self, presented: &str, origin: &SignInOrigin) -> Result<Session, AppError> {
        let presented = presented.trim();
        if presented.is_empty() {
            return Err(AppError::field(crate::Field::RefreshToken, crate::Problem::Required));
        }
        let policy = self.sessions.policy();
        let store = self.sessions.refresh_tokens();
        match store.rotate(presented, policy.reuse_grace, policy.refresh_lifetime, origin).await? {
            Rotation::Rotated { user, version, family, token } => {
                let user = self.users.find_by_id(user).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
                // A newer version than the exchange saw: the sessions ended
                // since, this one with them.
                if user.token_version > version {
                    return Err(AppError::Unauthenticated(AuthFailure::Revoked));
                }
                // The version read under the exchange's lock, not a copy that
                // may lag behind it.
                let access =
                    self.sessions.tokens().issue(&domain::User { token_version: version, ..user }, Some(&family))?;
                Ok(Session { access, refresh_token: token })
            }
            Rotation::Reused { user, family } => {
                self.ending.end(user, &family).await?;
                Err(AppError::Unauthenticated(AuthFailure::Revoked))
            }
            Rotation::Invalid => Err(AppError::Unauthenticated(AuthFailure::Invalid)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use domain::UserId;

    use super::*;
    use crate::ports::{IssuedToken, MockRefreshTokenStore, MockTokenIssuer, MockUserRepository};
    use crate::services::session_ending::tests as session_ending;
    use crate::use_cases::log_in::tests::stored_user;
    use crate::{Backend, SessionPolicy};

    fn refresh(store: MockRefreshTokenStore, users: MockUserRepository) -> RefreshSession {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_issue().returning(|_, _| {
            Ok(IssuedToken { token: "access".into(), expires_in_secs: 60, session_id: "session".into() })
        });
        let sessions = SessionIssuer::new(Arc::new(tokens), Arc::new(store), SessionPolicy::default());
        RefreshSession::new(Arc::new(sessions), Arc::new(users), no_ending())
    }

    fn origin() -> SignInOrigin {
        SignInOrigin::new(std::net::IpAddr::from([10, 0, 0, 9]), "Firefox on Linux")
    }

    fn no_ending() -> Arc<crate::SessionEnding> {
        session_ending::ending(MockRefreshTokenStore::new(), crate::ports::MockAccessTokenRevocations::new())
    }

    #[tokio::test]
    async fn a_current_token_is_exchanged_for_a_new_pair() {
        let mut store = MockRefreshTokenStore::new();
        store
            .expect_rotate()
            .withf(|presented, grace, lifetime, origin| {
                presented == "old"
                    && *grace == Duration::from_secs(10)
                    && *lifetime == Duration::from_secs(1_209_600)
                    && *origin == super::tests::origin()
            })
            .returning(|_, _, _, _| {
                Ok(Rotation::Rotated { user: UserId(1), version: 0, family: "fam".into(), token: "new".into() })
            });
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        let session = refresh(store, users).execute(" old ", &origin()).await.unwrap();
        assert_eq!((session.access.token.as_str(), session.refresh_token.as_str()), ("access", "new"));
    }

    #[tokio::test]
    async fn the_access_token_carries_the_version_the_exchange_saw() {
        let mut store = MockRefreshTokenStore::new();
        store.expect_rotate().returning(|_, _, _, _| {
            Ok(Rotation::Rotated { user: UserId(1), version: 4, family: "fam".into(), token: "new".into() })
        });
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(Some(domain::User { token_version: 3, ..stored_user() })));
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_issue().withf(|user, _| user.token_version == 4).times(1).returning(|_, _| {
            Ok(IssuedToken { token: "access".into(), expires_in_secs: 60, session_id: "session".into() })
        });
        let sessions = SessionIssuer::new(Arc::new(tokens), Arc::new(store), SessionPolicy::default());
        let refresh = RefreshSession::new(Arc::new(sessions), Arc::new(users), no_ending());
        assert!(refresh.execute("old", &origin()).await.is_ok());
    }

    #[tokio::test]
    async fn sessions_ended_after_the_exchange_take_its_access_token_with_them() {
        let mut store = MockRefreshTokenStore::new();
        store.expect_rotate().returning(|_, _, _, _| {
            Ok(Rotation::Rotated { user: UserId(1), version: 4, family: "fam".into(), token: "new".into() })
        });
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(Some(domain::User { token_version: 5, ..stored_user() })));
        let got = refresh(store, users).execute("old", &origin()).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)));
    }

    #[tokio::test]
    async fn a_replayed_token_ends_its_whole_session() {
        let mut store = MockRefreshTokenStore::new();
        store.expect_rotate().returning(|_, _, _, _| Ok(Rotation::Reused { user: UserId(7), family: "fam".into() }));
        let (ended_family, ended_tokens) = session_ending::expecting_the_end_of_fam();
        let sessions = SessionIssuer::new(Arc::new(MockTokenIssuer::new()), Arc::new(store), SessionPolicy::default());
        let refresh = RefreshSession::new(
            Arc::new(sessions),
            Arc::new(MockUserRepository::new()),
            session_ending::ending(ended_family, ended_tokens),
        );
        let got = refresh.execute("old", &origin()).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)));
    }

    #[tokio::test]
    async fn unknown_expired_or_revoked_tokens_are_invalid() {
        let mut store = MockRefreshTokenStore::new();
        store.expect_rotate().returning(|_, _, _, _| Ok(Rotation::Invalid));
        let got = refresh(store, MockUserRepository::new()).execute("junk", &origin()).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Invalid)));
    }

    #[tokio::test]
    async fn a_token_of_a_deleted_account_is_revoked() {
        let mut store = MockRefreshTokenStore::new();
        store.expect_rotate().returning(|_, _, _, _| {
            Ok(Rotation::Rotated { user: UserId(9), version: 0, family: "fam".into(), token: "new".into() })
        });
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(None));
        let got = refresh(store, users).execute("old", &origin()).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)));
    }

    #[tokio::test]
    async fn an_empty_token_is_a_field_error_and_an_outage_is_unavailable() {
        let got = refresh(MockRefreshTokenStore::new(), MockUserRepository::new()).execute(" ", &origin()).await;
        assert_eq!(got, Err(AppError::field(crate::Field::RefreshToken, crate::Problem::Required)));
        let mut store = MockRefreshTokenStore::new();
        store.expect_rotate().returning(|_, _, _, _| Err(crate::ports::RepoError::Unavailable("down".into())));
        let got = refresh(store, MockUserRepository::new()).execute("old", &origin()).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
