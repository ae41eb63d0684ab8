use jsonwebtoken::jwk::JwkSet;

use super::{AccessTokenAlgorithm, ServiceSecret, SigningKey, VerificationKey};

/// What access tokens are signed and verified with.
#[derive(Debug)]
pub enum AccessTokenKeys {
    /// HS256 with the service secret, as every service holding `JWT_SECRET` verifies (and could mint).
    Shared(ServiceSecret),
    /// A private key that signs, its public half and those of earlier keys (`JWT_VERIFY_KEY_FILES`)
    /// that still verify the tokens they signed until these expire. All are of one algorithm.
    Asymmetric { current: Box<SigningKey>, earlier: Vec<VerificationKey> },
}

impl AccessTokenKeys {
    pub fn algorithm(&self) -> AccessTokenAlgorithm {
        match self {
            Self::Shared(_) => AccessTokenAlgorithm::Hs256,
            Self::Asymmetric { current, .. } => current.public_key().algorithm(),
        }
    }

    /// Every key a token may name, the current one first.
    pub fn verification_keys(&self) -> Vec<&VerificationKey> {
        match self {
            Self::Shared(_) => Vec::new(),
            Self::Asymmetric { current, earlier } => {
                std::iter::once(current.public_key()).chain(earlier.iter()).collect()
            }
        }
    }

    /// The JWKS (RFC 7517) other services verify with; `None` with HS256, whose key is not public.
    pub fn jwks(&self) -> Option<JwkSet> {
        match self {
            Self::Shared(_) => None,
            Self::Asymmetric { .. } => {
                Some(JwkSet { keys: self.verification_keys().into_iter().map(|key| key.jwk().clone()).collect() })
            }
        }
    }
}
