use application::ports::{FlowClaims, FlowGrant, FlowKind, FlowTokenSigner, TokenError};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::ServiceSecret;
use super::jwt_validation::hs256_until_exp;
use sha2::Sha256;

/// Separates the flow-token key from the access-token key derived from the same secret.
const KEY_LABEL: &[u8] = b"meiduo-accounts/flow-tokens/v1";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// Which step the token opens.
    flow: String,
    sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tgt: Option<String>,
    ver: i64,
    jti: String,
    iat: i64,
    exp: i64,
}

/// HS256 flow tokens under a key derived from the service secret, so that
/// neither an access token nor any other service's token passes as one (and
/// a flow token never passes as an access token).
pub struct JwtFlowTokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtFlowTokenSigner {
    pub fn new(secret: &ServiceSecret) -> Self {
        let key = derive_key(secret.expose_secret());
        // A token's use record expires with it, to the millisecond.
        let validation = hs256_until_exp(&["exp", "sub"]);
        Self { encoding: EncodingKey::from_secret(&key), decoding: DecodingKey::from_secret(&key), validation }
    }
}

fn derive_key(secret: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail; an empty fallback
    // would only make every token invalid, never valid.
    <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .map(|mut mac| {
            mac.update(KEY_LABEL);
            mac.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default()
}

impl std::fmt::Debug for JwtFlowTokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtFlowTokenSigner").finish_non_exhaustive()
    }
}

impl FlowTokenSigner for JwtFlowTokenSigner {
    fn sign(&self, grant: &FlowGrant) -> Result<String, TokenError> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(grant.ttl.as_secs()).map_err(|e| TokenError::Signing(e.to_string()))?;
        let claims = Claims {
            flow: grant.kind.as_str().to_owned(),
            sub: grant.subject.clone(),
            tgt: grant.target.clone(),
            ver: grant.version,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| TokenError::Signing(e.to_string()))
    }

    fn verify(&self, token: &str, kind: FlowKind) -> Result<FlowClaims, TokenError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        if FlowKind::parse(&claims.flow) != Some(kind) {
            return Err(TokenError::Invalid);
        }
        Ok(FlowClaims {
            kind,
            subject: claims.sub,
            target: claims.tgt,
            version: claims.ver,
            token_id: claims.jti,
            expires_at: DateTime::from_timestamp(claims.exp, 0).ok_or(TokenError::Invalid)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use application::ports::TokenIssuer;
    use domain::{Profile, User, UserId};

    use super::*;
    use crate::JwtTokenIssuer;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn grant(kind: FlowKind, ttl: Duration) -> FlowGrant {
        FlowGrant { kind, subject: "42".into(), target: Some("13800138000".into()), version: 3, ttl }
    }

    #[test]
    fn a_token_verifies_for_its_own_step_with_its_claims() {
        let signer = JwtFlowTokenSigner::new(&ServiceSecret::from(SECRET));
        let token = signer.sign(&grant(FlowKind::ResetPasswordSms, Duration::from_secs(300))).unwrap();
        let claims = signer.verify(&token, FlowKind::ResetPasswordSms).unwrap();
        assert_eq!((claims.subject.as_str(), claims.target.as_deref(), claims.version), ("42", Some("13800138000"), 3));
        let left = (claims.expires_at - Utc::now()).num_seconds();
        assert!((298..=300).contains(&left), "{left}");
        let other = signer.sign(&grant(FlowKind::ResetPasswordSms, Duration::from_secs(300))).unwrap();
        assert_ne!(signer.verify(&other, FlowKind::ResetPasswordSms).unwrap().token_id, claims.token_id);
    }

    #[test]
    fn a_token_never_opens_another_step() {
        let signer = JwtFlowTokenSigner::new(&ServiceSecret::from(SECRET));
        let token = signer.sign(&grant(FlowKind::ResetPasswordSms, Duration::from_secs(300))).unwrap();
        assert_eq!(signer.verify(&token, FlowKind::ResetPassword), Err(TokenError::Invalid));
        assert_eq!(signer.verify(&token, FlowKind::EmailVerification), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_is_void_from_the_second_its_exp_names() {
        let signer = JwtFlowTokenSigner::new(&ServiceSecret::from(SECRET));
        let now = Utc::now().timestamp();
        let claims = serde_json::json!({
            "flow": FlowKind::ResetPassword.as_str(), "sub": "42", "ver": 3, "jti": "j", "iat": now - 60, "exp": now,
        });
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(&derive_key(SECRET))).unwrap();
        assert_eq!(signer.verify(&token, FlowKind::ResetPassword), Err(TokenError::Expired));
    }

    #[test]
    fn expired_forged_and_foreign_tokens_are_refused() {
        let signer = JwtFlowTokenSigner::new(&ServiceSecret::from(SECRET));
        let expired = signer.sign(&grant(FlowKind::ResetPassword, Duration::ZERO)).unwrap();
        std::thread::sleep(Duration::from_millis(1_100));
        assert_eq!(signer.verify(&expired, FlowKind::ResetPassword), Err(TokenError::Expired));

        let other_key = JwtFlowTokenSigner::new(&ServiceSecret::from(b"another-secret-another-secret-0123"));
        let forged = other_key.sign(&grant(FlowKind::ResetPassword, Duration::from_secs(300))).unwrap();
        assert_eq!(signer.verify(&forged, FlowKind::ResetPassword), Err(TokenError::Invalid));
        assert_eq!(signer.verify("not-a-token", FlowKind::ResetPassword), Err(TokenError::Invalid));
    }

    #[test]
    fn access_tokens_and_flow_tokens_do_not_pass_for_each_other() {
        let signer = JwtFlowTokenSigner::new(&ServiceSecret::from(SECRET));
        let issuer = JwtTokenIssuer::new(
            &ServiceSecret::from(SECRET),
            Duration::from_secs(300),
            "meiduo-accounts",
            "meiduo-mall",
        );
        let user = User {
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
        };
        let access = issuer.issue(&user, None).unwrap().token;
        assert_eq!(signer.verify(&access, FlowKind::ResetPassword), Err(TokenError::Invalid));
        let flow = signer.sign(&grant(FlowKind::ResetPassword, Duration::from_secs(300))).unwrap();
        assert_eq!(issuer.verify(&flow), Err(TokenError::Invalid));
    }
}
