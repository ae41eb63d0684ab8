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

pub fn is_django_pbkdf2(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// Whether `candidate` matches a Django PBKDF2-SHA256 hash; `false` for a
/// malformed one.
pub fn verify(candidate: &[u8], stored: &str) -> bool {
    let Some(rest) = stored.strip_prefix(PREFIX) else { return false };
    let mut parts = rest.splitn(3, '$');
    let (Some(iterations), Some(salt), Some(expected)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(iterations) = iterations.parse::<u32>() else { return false };
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return false;
    }
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(candidate, salt.as_bytes(), iterations, &mut derived);
    STANDARD.encode(derived).as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by Django's algorithm (PBKDF2-HMAC-SHA256, 32 bytes, base64) for
    /// the password `correct-horse`, as `make_password` stores it.
    const DJANGO: &str = "pbkdf2_sha256$260000$Dj4ngoSaltV3ctor$fAUhPyLEOUd0QrZ6xhHQDPqV8opzpw4M0+O9Hs9DLwo=";

    #[test]
    fn verifies_a_hash_made_by_django() {
        assert!(is_django_pbkdf2(DJANGO));
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
