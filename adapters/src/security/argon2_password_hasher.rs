use std::sync::Arc;

use application::ports::{HashError, PasswordHasher};
use argon2::password_hash::PasswordHasher as _;
use argon2::password_hash::PasswordVerifier as _;
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use async_trait::async_trait;
use tokio::sync::Semaphore;

use super::django_pbkdf2;

/// Argon2id with OWASP's minimum (19 MiB, t=2, p=1), run on tokio's blocking
/// pool behind a semaphore: at most `max_concurrent` hashes at once, so a burst
/// of logins queues instead of exhausting memory, and request handling on the
/// async workers never waits for a hash. Also verifies Django's
/// `pbkdf2_sha256$…` hashes of imported accounts, which `needs_rehash` flags.
pub struct Argon2PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when there is no real hash, so unknown accounts cost the same.
    dummy_hash: String,
}

impl Argon2PasswordHasher {
    pub const MEMORY_KIB: u32 = 19 * 1024;
    pub const ITERATIONS: u32 = 2;
    pub const PARALLELISM: u32 = 1;

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
        let dummy_hash = hash_with(&params, b"dummy password for unknown accounts")?;
        Ok(Self { params, permits: Arc::new(Semaphore::new(max_concurrent.max(1))), dummy_hash })
    }

    async fn on_blocking_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError::Failed(e.to_string()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| HashError::Failed(e.to_string()))?
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_with(params: &Params, password: &[u8]) -> Result<String, HashError> {
    argon2(params).hash_password(password).map(|hash| hash.to_string()).map_err(|e| HashError::Failed(e.to_string()))
}

fn verify_with(params: &Params, candidate: &[u8], stored: &str) -> bool {
    if django_pbkdf2::is_django_pbkdf2(stored) {
        return django_pbkdf2::verify(candidate, stored);
    }
    match PasswordHash::new(stored) {
        // The hash's own parameters are used, so older costs keep verifying.
        Ok(hash) => argon2(params).verify_password(candidate, &hash).is_ok(),
        Err(error) => {
            tracing::warn!(%error, "stored password hash is not a PHC string; treating as no match");
            false
        }
    }
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &str) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = password.as_bytes().to_vec();
        self.on_blocking_pool(move || hash_with(&params, &password)).await
    }

    async fn verify(&self, candidate: &str, stored: Option<String>) -> Result<bool, HashError> {
        let params = self.params.clone();
        let candidate = candidate.as_bytes().to_vec();
        let (stored, real) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.clone(), false),
        };
        self.on_blocking_pool(move || Ok(verify_with(&params, &candidate, &stored) && real)).await
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
    async fn no_stored_hash_never_matches() {
        let hasher = Argon2PasswordHasher::with_params(1, 64, 1, 1).unwrap();
        assert!(!hasher.verify("dummy password for unknown accounts", None).await.unwrap());
        assert!(!hasher.verify("anything", Some("not a phc string".into())).await.unwrap());
    }
}
