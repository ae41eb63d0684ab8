use std::time::Duration;

use application::ports::{AccessClaims, IssuedToken, TokenError, TokenIssuer};
use chrono::{DateTime, Utc};
use domain::{User, UserId};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::ServiceSecret;
use super::jwt_validation::hs256_until_exp;

/// The `token_type` of an access token (simplejwt's claim and value, so Django services read
/// it as they read their own). Another token signed with the same key, or made by
/// another service sharing it, lacks it and is refused.
const ACCESS: &str = "access";
/// The header `typ`.
const JWT: &str = "JWT";

/// The claims every service that trusts these tokens reads.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    token_type: String,
    user_id: i64,
    username: String,
    exp: i64,
    iat: i64,
    jti: String,
    /// The session (refresh-token family): a logout ends every token of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    ver: i64,
}

/// HS256 access tokens (header `typ` `JWT`) with the claims `iss, aud, token_type, user_id,
/// username, exp, iat, jti, sid, ver`. A token is accepted only with this service's `iss`, an `aud`
/// naming the configured audience and `token_type` `access`: a token of the right shape signed
/// with the same secret for another purpose or by another issuer is refused.
pub struct JwtTokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: Duration,
    issuer: String,
    audience: String,
}

impl JwtTokenIssuer {
    pub fn new(secret: &ServiceSecret, lifetime: Duration, issuer: &str, audience: &str) -> Self {
        // A logged-out token's revocation outlives `exp` by `REVOCATION_RETENTION_MARGIN`.
        let mut validation = hs256_until_exp(&["exp", "iat", "iss", "aud"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose_secret()),
            decoding: DecodingKey::from_secret(secret.expose_secret()),
            validation,
            lifetime,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }
}

impl std::fmt::Debug for JwtTokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtTokenIssuer")
            .field("lifetime", &self.lifetime)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

fn timestamp(seconds: i64) -> Result<DateTime<Utc>, TokenError> {
    DateTime::from_timestamp(seconds, 0).ok_or(TokenError::Invalid)
}

impl TokenIssuer for JwtTokenIssuer {
    fn issue(&self, user: &User, session: Option<&str>) -> Result<IssuedToken, TokenError> {
        let now = Utc::now().timestamp();
        let lifetime = i64::try_from(self.lifetime.as_secs()).map_err(|e| TokenError::Signing(e.to_string()))?;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            token_type: ACCESS.to_owned(),
            user_id: user.id.0,
            username: user.username.clone(),
            exp: now.saturating_add(lifetime),
            iat: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            sid: None,
            ver: user.token_version,
        };
        // A new session is named after its first token.
        let session_id = session.map_or_else(|| claims.jti.clone(), str::to_owned);
        let claims = Claims { sid: Some(session_id.clone()), ..claims };
        // `Header::new` sets `typ` to `JWT`.
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok(IssuedToken { token, expires_in_secs: self.lifetime.as_secs(), session_id })
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        if data.header.typ.as_deref() != Some(JWT) || data.claims.token_type != ACCESS {
            return Err(TokenError::Invalid);
        }
        let claims = data.claims;
        Ok(AccessClaims {
            user_id: UserId(claims.user_id),
            username: claims.username,
            token_id: claims.jti,
            session_id: claims.sid,
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
    const ISSUER: &str = "meiduo-accounts";
    const AUDIENCE: &str = "meiduo-mall";

    fn issuer(lifetime_secs: u64) -> JwtTokenIssuer {
        JwtTokenIssuer::new(&ServiceSecret::from(SECRET), Duration::from_secs(lifetime_secs), ISSUER, AUDIENCE)
    }

    /// Claims as this issuer writes them, valid for another minute.
    fn claims() -> serde_json::Value {
        let now = Utc::now().timestamp();
        serde_json::json!({
            "iss": ISSUER, "aud": AUDIENCE, "token_type": "access", "user_id": 1, "username": "a",
            "exp": now + 60, "iat": now, "jti": "j", "ver": 0,
        })
    }

    fn signed(header: &Header, claims: &serde_json::Value) -> String {
        encode(header, claims, &EncodingKey::from_secret(SECRET)).unwrap()
    }

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
        let issuer = issuer(86_400);
        let issued = issuer.issue(&user(), None).unwrap();
        assert_eq!(issued.expires_in_secs, 86_400);
        let claims = issuer.verify(&issued.token).unwrap();
        assert_eq!((claims.user_id, claims.username.as_str(), claims.version), (UserId(42), "alice", 3));
        assert_eq!((claims.expires_at - claims.issued_at).num_seconds(), 86_400);
        assert_ne!(claims.token_id, issuer.verify(&issuer.issue(&user(), None).unwrap().token).unwrap().token_id);
    }

    #[test]
    fn a_token_names_its_session_a_new_one_after_itself() {
        let issuer = issuer(60);
        let first = issuer.issue(&user(), None).unwrap();
        let verified = issuer.verify(&first.token).unwrap();
        assert_eq!(
            verified.session_id.as_deref(),
            Some(verified.token_id.as_str()),
            "a new session is named after its first token"
        );
        assert_eq!(first.session_id, verified.token_id);
        let refreshed = issuer.issue(&user(), Some(&first.session_id)).unwrap();
        assert_eq!(issuer.verify(&refreshed.token).unwrap().session_id, Some(first.session_id));
        let older = signed(&Header::new(Algorithm::HS256), &claims());
        assert_eq!(issuer.verify(&older).unwrap().session_id, None, "tokens issued before sessions had ids still pass");
    }

    #[test]
    fn expired_tokens_are_told_from_forged_ones() {
        let issuer = issuer(60);
        let now = Utc::now().timestamp();
        let mut stale = claims();
        stale["exp"] = (now - 10).into();
        stale["iat"] = (now - 70).into();
        let expired = signed(&Header::new(Algorithm::HS256), &stale);
        assert_eq!(issuer.verify(&expired), Err(TokenError::Expired));

        let other = JwtTokenIssuer::new(
            &ServiceSecret::from(b"another-secret-another-secret-00"),
            Duration::from_secs(60),
            ISSUER,
            AUDIENCE,
        );
        assert_eq!(issuer.verify(&other.issue(&user(), None).unwrap().token), Err(TokenError::Invalid));
        assert_eq!(issuer.verify("not.a.jwt"), Err(TokenError::Invalid));
        let none_alg = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyX2lkIjoxfQ.";
        assert_eq!(issuer.verify(none_alg), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_is_void_from_the_second_its_exp_names() {
        let issuer = issuer(60);
        let now = Utc::now().timestamp();
        let mut ending = claims();
        ending["exp"] = now.into();
        ending["iat"] = (now - 60).into();
        assert_eq!(issuer.verify(&signed(&Header::new(Algorithm::HS256), &ending)), Err(TokenError::Expired));
        ending["exp"] = (now + 2).into();
        assert!(issuer.verify(&signed(&Header::new(Algorithm::HS256), &ending)).is_ok());
    }

    #[test]
    fn a_token_of_the_right_key_and_shape_needs_this_issuer_audience_and_type() {
        let issuer = issuer(60);
        let header = Header::new(Algorithm::HS256);
        assert!(issuer.verify(&signed(&header, &claims())).is_ok());

        let mut cases = Vec::new();
        for claim in ["iss", "aud", "token_type"] {
            let mut missing = claims();
            missing.as_object_mut().unwrap().remove(claim);
            cases.push((format!("no {claim}"), missing));
            let mut wrong = claims();
            wrong[claim] = "meiduo-admin".into();
            cases.push((format!("{claim} meiduo-admin"), wrong));
        }
        let mut refresh = claims();
        refresh["token_type"] = "refresh".into();
        cases.push(("a refresh token".into(), refresh));
        for (case, claims) in cases {
            assert_eq!(issuer.verify(&signed(&header, &claims)), Err(TokenError::Invalid), "{case}");
        }

        for typ in [None, Some("at+jwt".to_owned())] {
            let header = Header { typ: typ.clone(), ..Header::new(Algorithm::HS256) };
            assert_eq!(issuer.verify(&signed(&header, &claims())), Err(TokenError::Invalid), "typ {typ:?}");
        }
        let elsewhere =
            JwtTokenIssuer::new(&ServiceSecret::from(SECRET), Duration::from_secs(60), "another-service", AUDIENCE);
        assert_eq!(issuer.verify(&elsewhere.issue(&user(), None).unwrap().token), Err(TokenError::Invalid));
    }
}
