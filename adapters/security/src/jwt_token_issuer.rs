use std::collections::HashMap;
use std::time::Duration;

use application::ports::{AccessClaims, IssuedToken, TokenError, TokenIssuer};
use chrono::{DateTime, Utc};
use domain::{User, UserId};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::jwt_validation::until_exp;
use super::verified_tokens::VerifiedTokens;
use super::{AccessTokenKeys, ServiceSecret};

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

/// Access tokens (header `typ` `JWT`) with the claims `iss, aud, token_type, user_id,
/// username, exp, iat, jti, sid, ver`. A token is accepted only with this service's `iss`, an `aud`
/// naming the configured audience and `token_type` `access`: a token of the right shape signed
/// with the same secret for another purpose or by another issuer is refused.
///
/// Signed with HS256 and the service secret, or with ES256/EdDSA and a private key whose `kid`
/// every header names: a token is then accepted only with the configured algorithm and the `kid`
/// of a known key (the current one or an earlier one still verifying), so neither `alg: none`, an
/// HS256 token keyed with a public key, nor an unknown key passes.
pub struct JwtTokenIssuer {
    encoding: EncodingKey,
    header: Header,
    verifying: Verifying,
    validation: Validation,
    lifetime: Duration,
    issuer: String,
    audience: String,
}

/// What a token's signature is checked with.
enum Verifying {
    /// The one HS256 key; a `kid` in the header is not looked at (as before asymmetric keys).
    Shared(DecodingKey),
    /// The key the header's `kid` names; tokens verified once are remembered,
    /// since a public-key verify costs 20–100 times an HS256 one.
    ByKid(HashMap<String, DecodingKey>, VerifiedTokens),
}

impl JwtTokenIssuer {
    /// HS256 tokens signed with the service secret.
    pub fn new(secret: &ServiceSecret, lifetime: Duration, issuer: &str, audience: &str) -> Self {
        Self::signed_with(&AccessTokenKeys::Shared(secret.clone()), lifetime, issuer, audience)
    }

    /// Tokens signed with `keys`' algorithm and current key.
    pub fn signed_with(keys: &AccessTokenKeys, lifetime: Duration, issuer: &str, audience: &str) -> Self {
        // A logged-out token's revocation outlives `exp` by `REVOCATION_RETENTION_MARGIN`.
        let mut validation = until_exp(keys.algorithm().jwt(), &["exp", "iat", "iss", "aud"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        // `Header::new` sets `typ` to `JWT`.
        let mut header = Header::new(keys.algorithm().jwt());
        let (encoding, verifying) = match keys {
            AccessTokenKeys::Shared(secret) => (
                EncodingKey::from_secret(secret.expose_secret()),
                Verifying::Shared(DecodingKey::from_secret(secret.expose_secret())),
            ),
            AccessTokenKeys::Asymmetric { current, .. } => {
                header.kid = Some(current.public_key().kid().to_owned());
                let known =
                    keys.verification_keys().into_iter().map(|key| (key.kid().to_owned(), key.decoding().clone()));
                (current.encoding(), Verifying::ByKid(known.collect(), VerifiedTokens::new()))
            }
        };
        Self {
            encoding,
            header,
            verifying,
            validation,
            lifetime,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    fn decoding_key(&self, token: &str) -> Result<&DecodingKey, TokenError> {
        match &self.verifying {
            Verifying::Shared(key) => Ok(key),
            Verifying::ByKid(keys, _) => {
                let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
                header.kid.and_then(|kid| keys.get(&kid)).ok_or(TokenError::Invalid)
            }
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
        let token = encode(&self.header, &claims, &self.encoding).map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok(IssuedToken { token, expires_in_secs: self.lifetime.as_secs(), session_id })
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let Verifying::ByKid(_, verified) = &self.verifying else { return self.verify_signature(token) };
        if let Some(remembered) = verified.get(token) {
            return remembered.map_err(|_| TokenError::Expired);
        }
        let claims = self.verify_signature(token)?;
        verified.remember(token, &claims);
        Ok(claims)
    }
}

impl JwtTokenIssuer {
    /// The full check: signature, algorithm, `kid`, `iss`, `aud`, `exp`, `typ` and `token_type`.
    fn verify_signature(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let data =
            decode::<Claims>(token, self.decoding_key(token)?, &self.validation).map_err(|e| match e.kind() {
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
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use domain::Profile;
    use jsonwebtoken::Algorithm;
    use secrecy::ExposeSecret;

    use crate::{AccessTokenAlgorithm, SigningKey, VerificationKey};

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

    fn asymmetric(current: SigningKey, earlier: Vec<VerificationKey>) -> JwtTokenIssuer {
        let keys = AccessTokenKeys::Asymmetric { current: Box::new(current), earlier };
        JwtTokenIssuer::signed_with(&keys, Duration::from_secs(60), ISSUER, AUDIENCE)
    }

    fn header_of(token: &str) -> Header {
        decode_header(token).unwrap()
    }

    #[test]
    fn asymmetric_tokens_name_their_key_and_verify_with_its_public_half_alone() {
        for algorithm in [AccessTokenAlgorithm::EdDsa, AccessTokenAlgorithm::Es256] {
            let key = SigningKey::generate(algorithm).unwrap();
            let public = VerificationKey::from_pem(algorithm, key.public_key().to_pem()).unwrap();
            let kid = key.public_key().kid().to_owned();
            let issuer = asymmetric(key, Vec::new());
            let token = issuer.issue(&user(), None).unwrap().token;
            let header = header_of(&token);
            assert_eq!((header.alg, header.kid.as_deref()), (algorithm.jwt(), Some(kid.as_str())));
            assert_eq!(issuer.verify(&token).unwrap().user_id, UserId(42));

            let mut validation = until_exp(algorithm.jwt(), &["exp"]);
            validation.set_audience(&[AUDIENCE]);
            let claims = decode::<Claims>(&token, public.decoding(), &validation).unwrap().claims;
            assert_eq!((claims.user_id, claims.token_type.as_str()), (42, "access"));
        }
    }

    #[test]
    fn a_rotated_key_keeps_verifying_the_tokens_it_signed_until_it_is_dropped() {
        let algorithm = AccessTokenAlgorithm::EdDsa;
        let old = SigningKey::generate(algorithm).unwrap();
        let old_public = old.public_key().clone();
        let before = asymmetric(old, Vec::new()).issue(&user(), None).unwrap().token;

        let new = SigningKey::generate(algorithm).unwrap();
        let new_pem = new.to_pem().unwrap();
        let new_kid = new.public_key().kid().to_owned();
        let rotated = asymmetric(new, vec![old_public]);
        assert!(rotated.verify(&before).is_ok(), "a token of the earlier key");
        let after = rotated.issue(&user(), None).unwrap().token;
        assert_eq!(header_of(&after).kid, Some(new_kid));

        let dropped = asymmetric(SigningKey::from_pem(algorithm, new_pem.expose_secret()).unwrap(), Vec::new());
        assert!(dropped.verify(&after).is_ok());
        assert_eq!(dropped.verify(&before), Err(TokenError::Invalid), "the earlier key is no longer known");
    }

    #[test]
    fn no_algorithm_confusion_passes() {
        let key = SigningKey::generate(AccessTokenAlgorithm::EdDsa).unwrap();
        let public = key.public_key().clone();
        let kid = Some(public.kid().to_owned());
        let eddsa = asymmetric(key, Vec::new());
        let mut cases: Vec<(&str, String)> = Vec::new();

        // HS256 keyed with what is public: the PEM, and the raw key as the JWK gives it.
        let hs256 = Header { kid: kid.clone(), ..Header::new(Algorithm::HS256) };
        cases.push(("HS256 with the PEM as secret", sign_hs256(&hs256, public.to_pem().as_bytes())));
        let x = serde_json::to_value(public.jwk()).unwrap()["x"].as_str().unwrap().to_owned();
        cases.push(("HS256 with the JWK's x as secret", sign_hs256(&hs256, x.as_bytes())));
        cases.push(("HS256 with the service secret", sign_hs256(&hs256, SECRET)));

        let body = URL_SAFE_NO_PAD.encode(claims().to_string());
        let none = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#, public.kid()));
        cases.push(("alg none", format!("{none}.{body}.")));

        let stranger = SigningKey::generate(AccessTokenAlgorithm::EdDsa).unwrap();
        let unknown = Header { kid: Some(stranger.public_key().kid().to_owned()), ..Header::new(Algorithm::EdDSA) };
        cases.push(("an unknown kid", encode(&unknown, &claims(), &stranger.encoding()).unwrap()));
        let borrowed = Header { kid: kid.clone(), ..Header::new(Algorithm::EdDSA) };
        cases.push(("another key under this kid", encode(&borrowed, &claims(), &stranger.encoding()).unwrap()));
        let own = eddsa.issue(&user(), None).unwrap().token;
        let unnamed = Header::new(Algorithm::EdDSA);
        cases.push(("no kid", encode(&unnamed, &claims(), &eddsa.encoding).unwrap()));

        let es256 = SigningKey::generate(AccessTokenAlgorithm::Es256).unwrap();
        let other_alg = Header { kid: kid.clone(), ..Header::new(Algorithm::ES256) };
        cases.push(("ES256 where EdDSA is configured", encode(&other_alg, &claims(), &es256.encoding()).unwrap()));
        let es_issuer = asymmetric(es256, Vec::new());
        cases.push(("an ES256 token of its own key", es_issuer.issue(&user(), None).unwrap().token));

        assert!(eddsa.verify(&own).is_ok());
        for (case, token) in cases {
            assert_eq!(eddsa.verify(&token), Err(TokenError::Invalid), "{case}");
        }
        let hs256_issuer = issuer(60);
        assert_eq!(hs256_issuer.verify(&own), Err(TokenError::Invalid), "an EdDSA token where HS256 is configured");
    }

    /// A token verified once is remembered by the digest of its exact text:
    /// verifying it again answers the same without a signature check, yet a
    /// token differing in one byte is checked on its own, and a remembered
    /// token still expires on time.
    #[test]
    fn a_verified_token_is_remembered_but_expires_and_a_changed_one_is_checked_again() {
        let key = SigningKey::generate(AccessTokenAlgorithm::EdDsa).unwrap();
        let keys = AccessTokenKeys::Asymmetric { current: Box::new(key), earlier: Vec::new() };
        let issuer = JwtTokenIssuer::signed_with(&keys, Duration::from_secs(2), ISSUER, AUDIENCE);
        let token = issuer.issue(&user(), None).unwrap().token;
        let first = issuer.verify(&token).unwrap();
        assert_eq!(issuer.verify(&token).unwrap(), first, "the remembered answer");

        let (head, signature) = token.rsplit_once('.').unwrap();
        let last = signature.chars().last().unwrap();
        let altered = format!("{head}.{}{}", &signature[..signature.len() - 1], if last == 'A' { 'B' } else { 'A' });
        assert_eq!(issuer.verify(&altered), Err(TokenError::Invalid), "one byte changed");

        std::thread::sleep(Duration::from_millis(2100));
        assert_eq!(issuer.verify(&token), Err(TokenError::Expired), "remembered, and expired since");
    }

    fn sign_hs256(header: &Header, secret: &[u8]) -> String {
        encode(header, &claims(), &EncodingKey::from_secret(secret)).unwrap()
    }
}
