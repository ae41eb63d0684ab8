use hmac::{Hmac, Mac};
use sha2::Sha256;

use security::{ServiceSecret, derived_mac};

/// Derives a refresh token's successor from the token itself, under a key
/// derived from the service secret.
///
/// Two tabs presenting the same token within the reuse grace must get the same
/// successor, not two members of the family: a second successor is a second
/// live session that a sign-out racing the rotation may miss, and every reuse
/// writing a row let a family grow without bound. Only hashes are stored, so
/// the successor cannot be read back; it is recomputed instead. The key keeps
/// a stolen old token from yielding its successors offline.
#[derive(Clone)]
pub struct RefreshTokenSuccessors {
    mac: Hmac<Sha256>,
}

impl RefreshTokenSuccessors {
    pub fn new(service_secret: &ServiceSecret) -> Self {
        Self { mac: derived_mac(b"meiduo-accounts/refresh-token-successor/v1\0", service_secret) }
    }

    /// The successor of `presented`: 256 bits, hex, like every refresh token.
    pub fn successor_of(&self, presented: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(presented.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for RefreshTokenSuccessors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshTokenSuccessors(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_is_fixed_by_token_and_secret() {
        let successors = RefreshTokenSuccessors::new(&ServiceSecret::from(b"secret"));
        let first = successors.successor_of("a".repeat(64).as_str());
        assert_eq!(first.len(), 64);
        assert_eq!(first, successors.successor_of("a".repeat(64).as_str()));
        assert_ne!(first, successors.successor_of("b".repeat(64).as_str()));
        assert_ne!(
            first,
            RefreshTokenSuccessors::new(&ServiceSecret::from(b"other")).successor_of("a".repeat(64).as_str())
        );
    }
}
