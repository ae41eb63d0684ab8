use application::ports::{HashError, PasswordHasher};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::django_pbkdf2;
use super::hashing_threads::{HashMemory, HashingThreads};

/// Argon2id with OWASP's minimum (19 MiB, t=2, p=1), computed on
/// `max_concurrent` threads of its own that reuse their memory from one hash
/// to the next: a burst of logins queues instead of exhausting memory, the
/// process stays at threads × 19 MiB for hashing however many logins it has
/// seen, and request handling on the async workers never waits for a hash.
/// Also verifies Django's `pbkdf2_sha256$…` hashes of imported accounts,
/// which `needs_rehash` flags.
pub struct Argon2PasswordHasher {
    params: Params,
    threads: HashingThreads,
    /// Verified against when there is no real hash, so unknown accounts cost the same.
    dummy_hash: String,
}

impl Argon2PasswordHasher {
    pub const MEMORY_KIB: u32 = 19 * 1024;
    pub const ITERATIONS: u32 = 2;
    pub const PARALLELISM: u32 = 1;
    const SALT_BYTES: usize = 16;

    pub fn new(max_concurrent: usize) -> Result<Self, HashError> {
        Self::with_params(max_concurrent, Self::MEMORY_KIB, Self::ITERATIONS, Self::PARALLELISM)
    }

    /// Other costs, for tests that hash many passwords; production uses [`Self::new`].
    pub fn with_params(
        max_concurrent: usize,
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, HashError> {
        let params =
            Params::new(memory_kib, iterations, parallelism, None).map_err(|e| HashError::Failed(e.to_string()))?;
        let dummy_hash = hash_with(&mut HashMemory::new(0), &params, b"dummy password for unknown accounts")?;
        let threads = HashingThreads::start(max_concurrent, params.block_count())?;
        Ok(Self { params, threads, dummy_hash })
    }
}

fn failed(error: impl std::fmt::Display) -> HashError {
    HashError::Failed(error.to_string())
}

fn hash_with(memory: &mut HashMemory, params: &Params, password: &[u8]) -> Result<String, HashError> {
    let mut salt = [0u8; Argon2PasswordHasher::SALT_BYTES];
    rand::rng().fill_bytes(&mut salt);
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    memory
        .with_blocks(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(password, &salt, &mut out, blocks)
        })
        .map_err(failed)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failed)?,
        salt: Some(Salt::new(&salt).map_err(failed)?),
        hash: Some(Output::new(&out).map_err(failed)?),
    };
    Ok(hash.to_string())
}

fn verify_with(memory: &mut HashMemory, candidate: &[u8], stored: &str) -> bool {
    if django_pbkdf2::is_django_pbkdf2(stored) {
        return django_pbkdf2::verify(candidate, stored);
    }
    match PasswordHash::new(stored) {
        // The hash's own algorithm, version and parameters, so older costs keep verifying.
        Ok(hash) => matches_argon2(memory, candidate, &hash).unwrap_or(false),
        Err(error) => {
            tracing::warn!(%error, "stored password hash is not a PHC string; treating as no match");
            false
        }
    }
}

/// `None` when the PHC string is not a usable argon2 hash.
fn matches_argon2(memory: &mut HashMemory, candidate: &[u8], hash: &PasswordHash) -> Option<bool> {
    let algorithm = Algorithm::try_from(hash.algorithm.as_str()).ok()?;
    let version = hash.version.map(Version::try_from).transpose().ok()?.unwrap_or_default();
    let params = Params::try_from(hash).ok()?;
    let (salt, expected) = (hash.salt.as_ref()?, hash.hash.as_ref()?);
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    memory
        .with_blocks(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(candidate, salt, &mut out, blocks)
        })
        .ok()?;
    Some(bool::from(out.as_slice().ct_eq(expected.as_bytes())))
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &str) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = password.as_bytes().to_vec();
        self.threads.run(move |memory| hash_with(memory, &params, &password)).await
    }

    async fn verify(&self, candidate: &str, stored: Option<String>) -> Result<bool, HashError> {
        let candidate = candidate.as_bytes().to_vec();
        let (stored, real) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.clone(), false),
        };
        self.threads.run(move |memory| Ok(verify_with(memory, &candidate, &stored) && real)).await
    }

    fn needs_rehash(&self, stored: &str) -> bool {
        let Ok(hash) = PasswordHash::new(stored) else { return true };
        let current = argon2::Params::try_from(&hash).ok();
        hash.algorithm.as_str() != "argon2id"
            || current.is_none_or(|p| {
                p.m_cost() != self.params.m_cost()
                    || p.t_cost() != self.params.t_cost()
                    || p.p_cost() != self.params.p_cost()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_at_the_configured_cost_and_verifies() {
        let hasher = Argon2PasswordHasher::new(2).unwrap();
        let hash = hasher.hash("correct-horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify("correct-horse", Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong-horse", Some(hash.clone())).await.unwrap());
        assert_ne!(hash, hasher.hash("correct-horse").await.unwrap(), "salts must differ");
        assert!(!hasher.needs_rehash(&hash));
    }

    #[tokio::test]
    async fn verifies_django_hashes_and_flags_them_and_weaker_argon2_for_rehash() {
        let hasher = Argon2PasswordHasher::new(1).unwrap();
        let django = "pbkdf2_sha256$260000$Dj4ngoSaltV3ctor$fAUhPyLEOUd0QrZ6xhHQDPqV8opzpw4M0+O9Hs9DLwo=";
        assert!(hasher.verify("correct-horse", Some(django.into())).await.unwrap());
        assert!(!hasher.verify("wrong-horse", Some(django.into())).await.unwrap());
        assert!(hasher.needs_rehash(django));
        let weaker = Argon2PasswordHasher::with_params(1, 64, 1, 1).unwrap().hash("correct-horse").await.unwrap();
        assert!(hasher.verify("correct-horse", Some(weaker.clone())).await.unwrap());
        assert!(hasher.needs_rehash(&weaker));
    }

    #[tokio::test]
    async fn hashes_are_interchangeable_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

        let hasher = Argon2PasswordHasher::with_params(1, 256, 2, 1).unwrap();
        let params = Params::new(256, 2, 1, None).unwrap();
        let crates = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let theirs = crates.hash_password(b"correct-horse").unwrap().to_string();
        assert!(hasher.verify("correct-horse", Some(theirs.clone())).await.unwrap());
        assert!(!hasher.verify("correct-horsf", Some(theirs)).await.unwrap());
        let ours = hasher.hash("correct-horse").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(crates.verify_password(b"correct-horse", &parsed).is_ok(), "{ours}");
        assert!(crates.verify_password(b"correct-horsf", &parsed).is_err());
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x10, Params::new(128, 1, 1, None).unwrap())
            .hash_password(b"correct-horse")
            .unwrap()
            .to_string();
        assert!(hasher.verify("correct-horse", Some(argon2i.clone())).await.unwrap(), "{argon2i}");
        assert!(!hasher.verify("wrong-horse", Some(argon2i)).await.unwrap());
    }

    #[tokio::test]
    async fn no_stored_hash_never_matches() {
        let hasher = Argon2PasswordHasher::with_params(1, 64, 1, 1).unwrap();
        assert!(!hasher.verify("dummy password for unknown accounts", None).await.unwrap());
        assert!(!hasher.verify("anything", Some("not a phc string".into())).await.unwrap());
    }
}
