use std::fmt;
use std::str::FromStr;

use jsonwebtoken::Algorithm;

/// What access tokens are signed with (`JWT_ALGORITHM`). Only this one is accepted: a token
/// naming another `alg` is refused before its signature is looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum AccessTokenAlgorithm {
    /// The service secret: whoever verifies can also mint.
    #[default]
    Hs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl AccessTokenAlgorithm {
    /// The name in a token's header, in `JWT_ALGORITHM` and in a JWK's `alg`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Signed with a private key whose public half is published.
    pub fn is_asymmetric(self) -> bool {
        self != Self::Hs256
    }

    pub(crate) fn jwt(self) -> Algorithm {
        match self {
            Self::Hs256 => Algorithm::HS256,
            Self::Es256 => Algorithm::ES256,
            Self::EdDsa => Algorithm::EdDSA,
        }
    }
}

impl FromStr for AccessTokenAlgorithm {
    /// What is wrong with the text, to follow the name of the setting.
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Hs256, Self::Es256, Self::EdDsa]
            .into_iter()
            .find(|algorithm| algorithm.as_str() == text)
            .ok_or_else(|| format!("must be HS256, ES256 or EdDSA, not {text:?}"))
    }
}

impl fmt::Display for AccessTokenAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Written as its name, so a TOML file and the environment take the same text.
impl serde::Serialize for AccessTokenAlgorithm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AccessTokenAlgorithm {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_others_are_refused() {
        for algorithm in [AccessTokenAlgorithm::Hs256, AccessTokenAlgorithm::Es256, AccessTokenAlgorithm::EdDsa] {
            assert_eq!(algorithm.as_str().parse::<AccessTokenAlgorithm>(), Ok(algorithm));
        }
        for text in ["none", "hs256", "RS256", "Ed25519", ""] {
            assert!(text.parse::<AccessTokenAlgorithm>().is_err(), "{text}");
        }
    }
}
