use std::sync::Arc;

use crate::ports::{AccessClaims, TokenIssuer};
use crate::{AppError, AuthFailure};

/// Turns the token of an `Authorization` header into verified claims.
pub struct Authenticate {
    tokens: Arc<dyn TokenIssuer>,
}

impl Authenticate {
    pub fn new(tokens: Arc<dyn TokenIssuer>) -> Self {
        Self { tokens }
    }

    pub fn execute(&self, token: Option<&str>) -> Result<AccessClaims, AppError> {
        let token = token
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthenticated(AuthFailure::Missing))?;
        Ok(self.tokens.verify(token)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::ports::{MockTokenIssuer, TokenError};

    fn claims() -> AccessClaims {
        AccessClaims {
            user_id: UserId(7),
            username: "alice".into(),
            token_id: "jti".into(),
            version: 0,
            issued_at: Utc::now(),
            expires_at: Utc::now(),
        }
    }

    #[test]
    fn a_valid_token_gives_its_claims() {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_verify().withf(|t| t == "abc").returning(|_| Ok(claims()));
        let got = Authenticate::new(Arc::new(tokens)).execute(Some("abc")).unwrap();
        assert_eq!(got.user_id, UserId(7));
    }

    #[test]
    fn no_token_is_missing() {
        let auth = Authenticate::new(Arc::new(MockTokenIssuer::new()));
        assert_eq!(auth.execute(None), Err(AppError::Unauthenticated(AuthFailure::Missing)));
        assert_eq!(auth.execute(Some("  ")), Err(AppError::Unauthenticated(AuthFailure::Missing)));
    }

    #[test]
    fn expired_and_garbled_tokens_are_told_apart() {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_verify().withf(|t| t == "old").returning(|_| Err(TokenError::Expired));
        tokens.expect_verify().withf(|t| t == "junk").returning(|_| Err(TokenError::Invalid));
        let auth = Authenticate::new(Arc::new(tokens));
        assert_eq!(auth.execute(Some("old")), Err(AppError::Unauthenticated(AuthFailure::Expired)));
        assert_eq!(auth.execute(Some("junk")), Err(AppError::Unauthenticated(AuthFailure::Invalid)));
    }
}
