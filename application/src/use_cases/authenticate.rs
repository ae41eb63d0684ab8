use std::sync::Arc;

use domain::User;

use crate::ports::{AccessClaims, AccessTokenRevocations, TokenIssuer};
use crate::{AppError, AuthFailure};

/// A verified token and the account it speaks for, read in the same lookup
/// that checked the token's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub claims: AccessClaims,
    pub user: User,
}

#[derive(Clone, Copy)]
enum Access {
    Read,
    Write,
}

/// Turns the token of an `Authorization` header into verified claims and the
/// account: a good signature, not expired, not logged out, and not older than
/// the user's last "revoke all" (the `ver` claim).
pub struct Authenticate {
    tokens: Arc<dyn TokenIssuer>,
    revocations: Arc<dyn AccessTokenRevocations>,
}

impl Authenticate {
    pub fn new(tokens: Arc<dyn TokenIssuer>, revocations: Arc<dyn AccessTokenRevocations>) -> Self {
        Self { tokens, revocations }
    }

    /// For a request that reads: the standing may come from memory.
    pub async fn execute(&self, token: Option<&str>) -> Result<Authenticated, AppError> {
        self.check(token, Access::Read).await
    }

    /// For a request that writes (a new email, a password, a binding, a
    /// logout): the token is checked against the account as stored now, never
    /// a copy in memory, so a write cannot ride on a session that ended a
    /// moment ago on another instance.
    pub async fn execute_for_write(&self, token: Option<&str>) -> Result<Authenticated, AppError> {
        self.check(token, Access::Write).await
    }

    async fn check(&self, token: Option<&str>, access: Access) -> Result<Authenticated, AppError> {
        let token = token
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthenticated(AuthFailure::Missing))?;
        let claims = self.tokens.verify(token)?;
        let standing = match access {
            Access::Read => {
                self.revocations.standing(claims.user_id, &claims.token_id, claims.session_id.as_deref()).await?
            }
            Access::Write => {
                self.revocations
                    .current_standing(claims.user_id, &claims.token_id, claims.session_id.as_deref())
                    .await?
            }
        };
        match standing {
            Some(standing) if !standing.revoked && standing.user.token_version == claims.version => {
                Ok(Authenticated { claims, user: standing.user })
            }
            _ => Err(AppError::Unauthenticated(AuthFailure::Revoked)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::Backend;
    use crate::ports::{MockAccessTokenRevocations, MockTokenIssuer, RepoError, TokenError, TokenStanding};
    use crate::use_cases::log_in::tests::stored_user;

    pub(crate) fn claims() -> AccessClaims {
        AccessClaims {
            user_id: UserId(7),
            username: "alice".into(),
            token_id: "jti".into(),
            session_id: None,
            version: 2,
            issued_at: Utc::now(),
            expires_at: Utc::now(),
        }
    }

    fn valid_tokens() -> MockTokenIssuer {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_verify().withf(|t| t == "abc").returning(|_| Ok(claims()));
        tokens
    }

    fn standing_of(version: i64, revoked: bool) -> TokenStanding {
        TokenStanding { user: User { id: UserId(7), token_version: version, ..stored_user() }, revoked }
    }

    fn standing(answer: Result<Option<TokenStanding>, RepoError>) -> MockAccessTokenRevocations {
        let mut revocations = MockAccessTokenRevocations::new();
        revocations
            .expect_standing()
            .withf(|user, jti, _| *user == UserId(7) && jti == "jti")
            .returning(move |_, _, _| answer.clone());
        revocations
    }

    fn auth(tokens: MockTokenIssuer, revocations: MockAccessTokenRevocations) -> Authenticate {
        Authenticate::new(Arc::new(tokens), Arc::new(revocations))
    }

    #[tokio::test]
    async fn a_valid_current_token_gives_its_claims_and_the_account_read_with_them() {
        let current = standing_of(2, false);
        let auth = auth(valid_tokens(), standing(Ok(Some(current.clone()))));
        let authenticated = auth.execute(Some("abc")).await.unwrap();
        assert_eq!(authenticated.claims.user_id, UserId(7));
        assert_eq!(authenticated.user, current.user);
    }

    #[tokio::test]
    async fn a_write_checks_the_stored_standing_never_memory() {
        let mut revocations = MockAccessTokenRevocations::new();
        revocations.expect_standing().times(0);
        revocations.expect_current_standing().times(1).returning(|_, _, _| Ok(Some(standing_of(3, false))));
        let got = auth(valid_tokens(), revocations).execute_for_write(Some("abc")).await;
        assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)), "the stored version moved on");
    }

    #[tokio::test]
    async fn no_token_is_missing() {
        let auth = auth(MockTokenIssuer::new(), MockAccessTokenRevocations::new());
        assert_eq!(auth.execute(None).await, Err(AppError::Unauthenticated(AuthFailure::Missing)));
        assert_eq!(auth.execute(Some("  ")).await, Err(AppError::Unauthenticated(AuthFailure::Missing)));
    }

    #[tokio::test]
    async fn expired_and_garbled_tokens_are_told_apart() {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_verify().withf(|t| t == "old").returning(|_| Err(TokenError::Expired));
        tokens.expect_verify().withf(|t| t == "junk").returning(|_| Err(TokenError::Invalid));
        let auth = auth(tokens, MockAccessTokenRevocations::new());
        assert_eq!(auth.execute(Some("old")).await, Err(AppError::Unauthenticated(AuthFailure::Expired)));
        assert_eq!(auth.execute(Some("junk")).await, Err(AppError::Unauthenticated(AuthFailure::Invalid)));
    }

    #[tokio::test]
    async fn logged_out_outdated_and_orphaned_tokens_are_revoked() {
        for answer in [Some(standing_of(2, true)), Some(standing_of(3, false)), None] {
            let got = auth(valid_tokens(), standing(Ok(answer.clone()))).execute(Some("abc")).await;
            assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)), "{answer:?}");
        }
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let got = auth(valid_tokens(), standing(Err(RepoError::Unavailable("down".into())))).execute(Some("abc")).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
