use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey, spki::der::pem::LineEnding};
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters, EllipticCurveKeyType, Jwk,
    KeyAlgorithm, OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, ThumbprintHash,
};
use p256::elliptic_curve::sec1::ToEncodedPoint;

use super::AccessTokenAlgorithm;

/// A key that cannot be read or made, and why (never a byte of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub(crate) String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// The public half of an access-token key: verifies tokens whose header names its `kid` (the
/// RFC 7638 thumbprint) and is published as a JWK (`kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`).
#[derive(Clone)]
pub struct VerificationKey {
    algorithm: AccessTokenAlgorithm,
    jwk: Jwk,
    decoding: DecodingKey,
    pem: String,
}

impl VerificationKey {
    /// A public key in SPKI PEM (`-----BEGIN PUBLIC KEY-----`) of `algorithm`'s curve.
    pub fn from_pem(algorithm: AccessTokenAlgorithm, pem: &str) -> Result<Self, KeyError> {
        let refused = |e: &dyn fmt::Display| KeyError(format!("not an {algorithm} public key in PEM: {e}"));
        match algorithm {
            AccessTokenAlgorithm::EdDsa => {
                Self::from_ed25519(ed25519_dalek::VerifyingKey::from_public_key_pem(pem).map_err(|e| refused(&e))?)
            }
            AccessTokenAlgorithm::Es256 => {
                Self::from_p256(p256::PublicKey::from_public_key_pem(pem).map_err(|e| refused(&e))?)
            }
            AccessTokenAlgorithm::Hs256 => Err(KeyError("HS256 has no public key".into())),
        }
    }

    pub(crate) fn from_ed25519(key: ed25519_dalek::VerifyingKey) -> Result<Self, KeyError> {
        let pem = key.to_public_key_pem(LineEnding::LF).map_err(|e| KeyError(e.to_string()))?;
        let parameters = AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: URL_SAFE_NO_PAD.encode(key.as_bytes()),
        });
        Self::published(AccessTokenAlgorithm::EdDsa, parameters, pem)
    }

    pub(crate) fn from_p256(key: p256::PublicKey) -> Result<Self, KeyError> {
        let pem = key.to_public_key_pem(LineEnding::LF).map_err(|e| KeyError(e.to_string()))?;
        let point = key.to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(KeyError("the P-256 public key is the identity".into()));
        };
        let parameters = AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
            key_type: EllipticCurveKeyType::EC,
            curve: EllipticCurve::P256,
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
        });
        Self::published(AccessTokenAlgorithm::Es256, parameters, pem)
    }

    fn published(
        algorithm: AccessTokenAlgorithm,
        parameters: AlgorithmParameters,
        pem: String,
    ) -> Result<Self, KeyError> {
        let key_algorithm = match algorithm {
            AccessTokenAlgorithm::EdDsa => KeyAlgorithm::EdDSA,
            AccessTokenAlgorithm::Es256 => KeyAlgorithm::ES256,
            AccessTokenAlgorithm::Hs256 => return Err(KeyError("HS256 has no public key".into())),
        };
        let mut jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(key_algorithm),
                ..CommonParameters::default()
            },
            algorithm: parameters,
        };
        jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256).map_err(|e| KeyError(e.to_string()))?);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| KeyError(e.to_string()))?;
        Ok(Self { algorithm, jwk, decoding, pem })
    }

    pub fn algorithm(&self) -> AccessTokenAlgorithm {
        self.algorithm
    }

    /// The RFC 7638 thumbprint (SHA-256) of the public key, which every token it verifies names.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// The key as published in the JWKS: public parameters only.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// SPKI PEM, as `JWT_VERIFY_KEY_FILES` reads it.
    pub fn to_pem(&self) -> &str {
        &self.pem
    }

    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rest is the same public key over again.
        f.debug_struct("VerificationKey")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}
