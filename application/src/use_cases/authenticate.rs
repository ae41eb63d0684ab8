use std::sync::Arc;

use crate::ports::{AccessClaims, AccessTokenRevocations, TokenIssuer};
use crate::{AppError, AuthFailure};

/// Turns the token of an `Authorization` header into verified claims: a good
/// signature, not expired, not logged out, and not older than the user's last
/// "revoke all" (the `ver` claim).
pub struct Authenticate {
    tokens: Arc<dyn TokenIssuer>,
    revocations: Arc<dyn AccessTokenRevocations>,
}

impl Authenticate {
    pub fn new(tokens: Arc<dyn TokenIssuer>, revocations: Arc<dyn AccessTokenRevocations>) -> Self {
        Self { tokens, revocations }
    }

    pub async fn execute(&self, token: Option<&str>) -> Result<AccessClaims, AppError> {
        let token = token
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthenticated(AuthFailure::Missing))?;
        let claims = self.tokens.verify(token)?;
        match self.revocations.standing(claims.user_id, &claims.token_id).await? {
            Some(standing) if !standing.revoked && standing.version == claims.version => Ok(claims),
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

    pub(crate) fn claims() -> AccessClaims {
        AccessClaims {
            user_id: UserId(7),
            username: "alice".into(),
            token_id: "jti".into(),
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

    fn standing(answer: Result<Option<TokenStanding>, RepoError>) -> MockAccessTokenRevocations {
        let mut revocations = MockAccessTokenRevocations::new();
        revocations
            .expect_standing()
            .withf(|user, jti| *user == UserId(7) && jti == "jti")
            .returning(move |_, _| answer.clone());
        revocations
    }

    fn auth(tokens: MockTokenIssuer, revocations: MockAccessTokenRevocations) -> Authenticate {
        Authenticate::new(Arc::new(tokens), Arc::new(revocations))
    }

    #[tokio::test]
    async fn a_valid_current_token_gives_its_claims() {
        let auth = auth(valid_tokens(), standing(Ok(Some(TokenStanding { version: 2, revoked: false }))));
        assert_eq!(auth.execute(Some("abc")).await.unwrap().user_id, UserId(7));
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
        for answer in [
            Some(TokenStanding { version: 2, revoked: true }),
            Some(TokenStanding { version: 3, revoked: false }),
            None,
        ] {
            let got = auth(valid_tokens(), standing(Ok(answer))).execute(Some("abc")).await;
            assert_eq!(got, Err(AppError::Unauthenticated(AuthFailure::Revoked)), "{answer:?}");
        }
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let got = auth(valid_tokens(), standing(Err(RepoError::Unavailable("down".into())))).execute(Some("abc")).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
