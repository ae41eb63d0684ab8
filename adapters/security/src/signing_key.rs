use std::fmt;

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use jsonwebtoken::EncodingKey;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use super::AccessTokenAlgorithm;
use super::verification_key::{KeyError, VerificationKey};

/// The private key access tokens are signed with (ES256 or EdDSA), held as PKCS#8 DER that no
/// `Debug` shows and that is wiped when dropped; only its public half is ever published.
pub struct SigningKey {
    pkcs8: SecretSlice<u8>,
    public: VerificationKey,
}

impl SigningKey {
    /// A private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) of `algorithm`'s curve.
    pub fn from_pem(algorithm: AccessTokenAlgorithm, pem: &str) -> Result<Self, KeyError> {
        // The parser's error says what is malformed, never the key's bytes.
        let refused = |e: &dyn fmt::Display| KeyError(format!("not an {algorithm} private key in PKCS#8 PEM: {e}"));
        match algorithm {
            AccessTokenAlgorithm::EdDsa => {
                Self::ed25519(&ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|e| refused(&e))?)
            }
            AccessTokenAlgorithm::Es256 => {
                Self::p256(&p256::ecdsa::SigningKey::from_pkcs8_pem(pem).map_err(|e| refused(&e))?)
            }
            AccessTokenAlgorithm::Hs256 => Err(KeyError("HS256 signs with JWT_SECRET, not a key pair".into())),
        }
    }

    /// A new random key of `algorithm`.
    pub fn generate(algorithm: AccessTokenAlgorithm) -> Result<Self, KeyError> {
        let mut bytes = secrecy::SecretBox::new(Box::new([0u8; 32]));
        match algorithm {
            AccessTokenAlgorithm::EdDsa => {
                rand::rng().fill_bytes(secrecy::ExposeSecretMut::expose_secret_mut(&mut bytes));
                Self::ed25519(&ed25519_dalek::SigningKey::from_bytes(bytes.expose_secret()))
            }
            AccessTokenAlgorithm::Es256 => loop {
                // A random 32 bytes is a valid scalar but for a chance of about 2^-32 (zero or ≥ the order).
                rand::rng().fill_bytes(secrecy::ExposeSecretMut::expose_secret_mut(&mut bytes));
                if let Ok(key) = p256::ecdsa::SigningKey::from_slice(bytes.expose_secret()) {
                    break Self::p256(&key);
                }
            },
            AccessTokenAlgorithm::Hs256 => Err(KeyError("HS256 signs with JWT_SECRET, not a key pair".into())),
        }
    }

    fn ed25519(key: &ed25519_dalek::SigningKey) -> Result<Self, KeyError> {
        let der = key.to_pkcs8_der().map_err(|e| KeyError(e.to_string()))?;
        Ok(Self { pkcs8: der.as_bytes().to_vec().into(), public: VerificationKey::from_ed25519(key.verifying_key())? })
    }

    fn p256(key: &p256::ecdsa::SigningKey) -> Result<Self, KeyError> {
        let der = key.to_pkcs8_der().map_err(|e| KeyError(e.to_string()))?;
        let public = p256::PublicKey::from(key.verifying_key());
        Ok(Self { pkcs8: der.as_bytes().to_vec().into(), public: VerificationKey::from_p256(public)? })
    }

    /// PKCS#8 PEM, as `JWT_PRIVATE_KEY_FILE` reads it: for a file of mode 0600, never a log line.
    pub fn to_pem(&self) -> Result<SecretString, KeyError> {
        let pem = match self.public.algorithm() {
            AccessTokenAlgorithm::EdDsa => ed25519_dalek::SigningKey::from_pkcs8_der(self.pkcs8.expose_secret())
                .map_err(|e| KeyError(e.to_string()))?
                .to_pkcs8_pem(LineEnding::LF),
            AccessTokenAlgorithm::Es256 => p256::ecdsa::SigningKey::from_pkcs8_der(self.pkcs8.expose_secret())
                .map_err(|e| KeyError(e.to_string()))?
                .to_pkcs8_pem(LineEnding::LF),
            AccessTokenAlgorithm::Hs256 => return Err(KeyError("HS256 has no key pair".into())),
        }
        .map_err(|e| KeyError(e.to_string()))?;
        Ok(SecretString::from(pem.as_str()))
    }

    pub fn public_key(&self) -> &VerificationKey {
        &self.public
    }

    pub(crate) fn encoding(&self) -> EncodingKey {
        match self.public.algorithm() {
            AccessTokenAlgorithm::Es256 => EncodingKey::from_ec_der(self.pkcs8.expose_secret()),
            AccessTokenAlgorithm::EdDsa | AccessTokenAlgorithm::Hs256 => {
                EncodingKey::from_ed_der(self.pkcs8.expose_secret())
            }
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("public", &self.public).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_reads_back_from_its_pem_with_the_same_kid() {
        for algorithm in [AccessTokenAlgorithm::EdDsa, AccessTokenAlgorithm::Es256] {
            let key = SigningKey::generate(algorithm).unwrap();
            let pem = key.to_pem().unwrap();
            assert!(pem.expose_secret().starts_with("-----BEGIN PRIVATE KEY-----"), "{algorithm}");
            let again = SigningKey::from_pem(algorithm, pem.expose_secret()).unwrap();
            assert_eq!(again.public_key().kid(), key.public_key().kid());
            let public = VerificationKey::from_pem(algorithm, key.public_key().to_pem()).unwrap();
            assert_eq!(public.kid(), key.public_key().kid());
            assert_ne!(SigningKey::generate(algorithm).unwrap().public_key().kid(), key.public_key().kid());
        }
    }

    #[test]
    fn a_key_of_the_other_curve_or_no_key_is_refused_without_showing_it() {
        let ed = SigningKey::generate(AccessTokenAlgorithm::EdDsa).unwrap();
        let pem = ed.to_pem().unwrap();
        let error = SigningKey::from_pem(AccessTokenAlgorithm::Es256, pem.expose_secret()).unwrap_err();
        assert!(!error.to_string().contains(&pem.expose_secret()[28..60]), "{error}");
        assert!(SigningKey::from_pem(AccessTokenAlgorithm::EdDsa, "not a key").is_err());
        assert!(VerificationKey::from_pem(AccessTokenAlgorithm::Es256, ed.public_key().to_pem()).is_err());
        assert!(!format!("{ed:?}").contains(&pem.expose_secret()[28..60]));
    }

    #[test]
    fn the_published_key_holds_no_private_part() {
        for algorithm in [AccessTokenAlgorithm::EdDsa, AccessTokenAlgorithm::Es256] {
            let key = SigningKey::generate(algorithm).unwrap();
            let jwk = serde_json::to_value(key.public_key().jwk()).unwrap();
            assert_eq!(jwk["use"], "sig");
            assert_eq!(jwk["alg"], algorithm.as_str());
            assert_eq!(jwk["kid"], key.public_key().kid());
            assert!(jwk.get("d").is_none(), "{jwk}");
        }
    }
}
