use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{ServiceSecret, derived_mac};

/// Keyed digests (HMAC-SHA256) of one-time codes, so that a cache dump does not
/// reveal pending codes: a plain hash of 6 digits is reversed by trying all 10^6.
///
/// The key is derived from the service secret, so every instance sharing a
/// cache computes the same digest.
#[derive(Clone)]
pub struct CodeDigester {
    mac: Hmac<Sha256>,
}

pub type CodeDigest = [u8; 32];

impl CodeDigester {
    pub fn new(service_secret: &ServiceSecret) -> Self {
        Self { mac: derived_mac(b"meiduo-accounts/verification-code-digest/v1\0", service_secret) }
    }

    /// The digest of `code` for one target; binding the scope stops a digest
    /// copied from another key from matching.
    pub fn digest(&self, scope: &str, code: &str) -> CodeDigest {
        let mut mac = self.mac.clone();
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn matches(&self, expected: &[u8], scope: &str, candidate: &str) -> bool {
        self.digest(scope, candidate).as_slice().ct_eq(expected).into()
    }
}

impl std::fmt::Debug for CodeDigester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeDigester(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_depend_on_key_scope_and_code() {
        let digester = CodeDigester::new(&ServiceSecret::from(b"secret-one"));
        let digest = digester.digest("sms:register:13800138000", "123456");
        assert!(digester.matches(&digest, "sms:register:13800138000", "123456"));
        assert!(!digester.matches(&digest, "sms:register:13800138000", "123457"));
        assert!(!digester.matches(&digest, "sms:register:13900139000", "123456"));
        assert!(!digester.matches(&digest[..31], "sms:register:13800138000", "123456"));
        assert_ne!(
            CodeDigester::new(&ServiceSecret::from(b"secret-two")).digest("sms:register:13800138000", "123456"),
            digest
        );
    }
}
