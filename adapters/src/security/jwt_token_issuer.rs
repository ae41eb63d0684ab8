use std::time::Duration;

use application::ports::{AccessClaims, IssuedToken, TokenError, TokenIssuer};
use chrono::{DateTime, Utc};
use domain::{User, UserId};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// The claims every service that trusts these tokens reads.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    user_id: i64,
    username: String,
    exp: i64,
    iat: i64,
    jti: String,
    ver: i64,
}

/// HS256 access tokens with the claims `user_id, username, exp, iat, jti, ver`.
pub struct JwtTokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: Duration,
}

impl JwtTokenIssuer {
    pub fn new(secret: &[u8], lifetime: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            lifetime,
        }
    }
}

impl std::fmt::Debug for JwtTokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtTokenIssuer").field("lifetime", &self.lifetime).finish_non_exhaustive()
    }
}

fn timestamp(seconds: i64) -> Result<DateTime<Utc>, TokenError> {
    DateTime::from_timestamp(seconds, 0).ok_or(TokenError::Invalid)
}

impl TokenIssuer for JwtTokenIssuer {
    fn issue(&self, user: &User) -> Result<IssuedToken, TokenError> {
        let now = Utc::now().timestamp();
        let lifetime = i64::try_from(self.lifetime.as_secs()).map_err(|e| TokenError::Signing(e.to_string()))?;
        let claims = Claims {
            user_id: user.id.0,
            username: user.username.clone(),
            exp: now.saturating_add(lifetime),
            iat: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            ver: user.token_version,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok(IssuedToken { token, expires_in_secs: self.lifetime.as_secs() })
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        let claims = data.claims;
        Ok(AccessClaims {
            user_id: UserId(claims.user_id),
            username: claims.username,
            token_id: claims.jti,
            version: claims.ver,
            issued_at: timestamp(claims.iat)?,
            expires_at: timestamp(claims.exp)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use domain::Profile;

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn user() -> User {
        User {
            id: UserId(42),
            username: "alice".into(),
            mobile: None,
            email: None,
            pending_email: None,
            password_hash: None,
            profile: Profile::default(),
            date_joined: Utc::now(),
            last_login: None,
            token_version: 3,
        }
    }

    #[test]
    fn issued_tokens_verify_with_their_claims() {
        let issuer = JwtTokenIssuer::new(SECRET, Duration::from_secs(86_400));
        let issued = issuer.issue(&user()).unwrap();
        assert_eq!(issued.expires_in_secs, 86_400);
        let claims = issuer.verify(&issued.token).unwrap();
        assert_eq!((claims.user_id, claims.username.as_str(), claims.version), (UserId(42), "alice", 3));
        assert_eq!((claims.expires_at - claims.issued_at).num_seconds(), 86_400);
        assert_ne!(claims.token_id, issuer.verify(&issuer.issue(&user()).unwrap().token).unwrap().token_id);
    }

    #[test]
    fn expired_tokens_are_told_from_forged_ones() {
        let issuer = JwtTokenIssuer::new(SECRET, Duration::from_secs(60));
        let now = Utc::now().timestamp();
        let stale = Claims { user_id: 1, username: "a".into(), exp: now - 10, iat: now - 70, jti: "j".into(), ver: 0 };
        let expired = encode(&Header::new(Algorithm::HS256), &stale, &EncodingKey::from_secret(SECRET)).unwrap();
        assert_eq!(issuer.verify(&expired), Err(TokenError::Expired));

        let other = JwtTokenIssuer::new(b"another-secret-another-secret-00", Duration::from_secs(60));
        assert_eq!(issuer.verify(&other.issue(&user()).unwrap().token), Err(TokenError::Invalid));
        assert_eq!(issuer.verify("not.a.jwt"), Err(TokenError::Invalid));
        let none_alg = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyX2lkIjoxfQ.";
        assert_eq!(issuer.verify(none_alg), Err(TokenError::Invalid));
    }
}
