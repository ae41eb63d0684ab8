//! Django's `PBKDF2PasswordHasher` format, `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`,
//! so accounts imported from the original shop can log in (and are then moved to argon2id).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Sha256;
use subtle::ConstantTimeEq;

const PREFIX: &str = "pbkdf2_sha256$";

/// Iterations above this are refused rather than computed: a corrupt or
/// hostile stored value must not pin a CPU (Django's own default is 1 200 000 in 5.x).
const MAX_ITERATIONS: u32 = 10_000_000;

/// A well-formed Django hash, split up.
pub struct DjangoHash<'a> {
    pub iterations: u32,
    salt: &'a str,
    expected: &'a str,
}

impl<'a> DjangoHash<'a> {
    /// `None` for a malformed value or an iteration count out of range: such a value is
    /// unusable, not a hash to compute.
    pub fn parse(stored: &'a str) -> Option<Self> {
        let rest = stored.strip_prefix(PREFIX)?;
        let mut parts = rest.splitn(3, '$');
        let (iterations, salt, expected) = (parts.next()?, parts.next()?, parts.next()?);
        let iterations = iterations.parse::<u32>().ok().filter(|n| (1..=MAX_ITERATIONS).contains(n))?;
        Some(Self { iterations, salt, expected })
    }

    /// Whether `candidate` is the password; the comparison takes constant time.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        derive(candidate, self.salt, self.iterations).as_bytes().ct_eq(self.expected.as_bytes()).into()
    }
}

/// The work of verifying a hash of `iterations`, for measuring what one costs here.
pub fn spend(iterations: u32) {
    derive(b"calibration", "calibration", iterations.clamp(1, MAX_ITERATIONS));
}

fn derive(candidate: &[u8], salt: &str, iterations: u32) -> String {
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(candidate, salt.as_bytes(), iterations, &mut derived);
    STANDARD.encode(derived)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(candidate: &[u8], stored: &str) -> bool {
        DjangoHash::parse(stored).is_some_and(|hash| hash.matches(candidate))
    }

    /// Made by Django's algorithm (PBKDF2-HMAC-SHA256, 32 bytes, base64) for
    /// the password `correct-horse`, as `make_password` stores it.
    const DJANGO: &str = "pbkdf2_sha256$260000$Dj4ngoSaltV3ctor$fAUhPyLEOUd0QrZ6xhHQDPqV8opzpw4M0+O9Hs9DLwo=";

    #[test]
    fn verifies_a_hash_made_by_django() {
        assert_eq!(DjangoHash::parse(DJANGO).map(|hash| hash.iterations), Some(260_000));
        assert!(verify(b"correct-horse", DJANGO));
        assert!(!verify(b"correct-horsf", DJANGO));
    }

    #[test]
    fn refuses_malformed_or_hostile_values() {
        for stored in [
            "pbkdf2_sha256$",
            "pbkdf2_sha256$abc$salt$hash",
            "pbkdf2_sha256$0$salt$hash",
            "pbkdf2_sha256$99999999999$salt$hash",
            "pbkdf2_sha256$260000$salt",
            "pbkdf2_sha1$260000$salt$hash",
        ] {
            assert!(!verify(b"correct-horse", stored), "{stored}");
        }
    }
}
