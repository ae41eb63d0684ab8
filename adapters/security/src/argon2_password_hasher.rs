use std::time::{Duration, Instant};

use application::ports::{HashError, PasswordHasher};
use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use async_trait::async_trait;
use parking_lot::Mutex;
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::django_pbkdf2::{self, DjangoHash};
use super::hashing_threads::{HashMemory, HashingThreads};
use service_metrics::{HashingGauges, InFlight};

/// Argon2id with OWASP's minimum (19 MiB, t=2, p=1), computed on
/// `max_concurrent` threads of its own that reuse their memory from one hash
/// to the next: a burst of logins queues instead of exhausting memory, the
/// process stays at threads × 19 MiB for hashing however many logins it has
/// seen, and request handling on the async workers never waits for a hash.
/// Also verifies Django's `pbkdf2_sha256$…` hashes of imported accounts,
/// which `needs_rehash` flags.
///
/// Every verification costs the same time, so that its duration tells nothing about the
/// account: an unknown account, a stored value that is no usable hash (not a PHC string, an
/// unknown algorithm, a malformed Django hash) and a real argon2 hash each pay one argon2
/// verification (the dummy hash for the first two); an imported Django hash pays its PBKDF2
/// rounds, whose cost depends on its iteration count, not on ours. So every verification is
/// also padded to a floor: the cost of one argon2 verification, or of the costliest Django
/// hash known (configured with [`Self::covering_django_iterations`], else learned from the
/// first one verified), whichever is more. Paying argon2 on top of PBKDF2 would not do: the
/// difference would remain, only shifted. The padding is slept after the hashing thread is
/// free again, so it lengthens the answer without taking hashing capacity from anyone.
pub struct Argon2PasswordHasher {
    params: Params,
    threads: HashingThreads,
    /// Verified against when there is no real hash, so unknown accounts cost the same.
    dummy_hash: String,
    /// What one argon2 hash at `params` took here, measured at construction.
    argon2_cost: Duration,
    /// The costliest Django hash known: its iteration count and what verifying it took.
    django_cost: Mutex<(u32, Duration)>,
    /// Hashes waiting for a hashing thread and running on one, for `GET /metrics`.
    gauges: HashingGauges,
    /// What the last verification took on its thread: more than the floor on a busy machine.
    last_cost: Mutex<Duration>,
}

impl Argon2PasswordHasher {
    pub const MEMORY_KIB: u32 = 19 * 1024;
    pub const ITERATIONS: u32 = 2;
    pub const PARALLELISM: u32 = 1;

    pub fn new(max_concurrent: usize) -> Result<Self, HashError> {
        Self::niced(max_concurrent, 0)
    }

    /// As [`Self::new`], hashing at `niceness` (0 to 19) below the threads
    /// that answer requests.
    pub fn niced(max_concurrent: usize, niceness: u8) -> Result<Self, HashError> {
        Self::build(max_concurrent, niceness, Self::MEMORY_KIB, Self::ITERATIONS, Self::PARALLELISM)
    }

    /// Other costs, for tests that hash many passwords; production uses [`Self::new`].
    pub fn with_params(
        max_concurrent: usize,
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, HashError> {
        Self::build(max_concurrent, 0, memory_kib, iterations, parallelism)
    }

    fn build(
        max_concurrent: usize,
        niceness: u8,
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, HashError> {
        let params =
            Params::new(memory_kib, iterations, parallelism, None).map_err(|e| HashError::Failed(e.to_string()))?;
        let started = Instant::now();
        let dummy_hash = hash_with(&mut HashMemory::new(0), &params, b"dummy password for unknown accounts")?;
        let argon2_cost = started.elapsed();
        let threads = HashingThreads::start(max_concurrent, params.block_count(), niceness)?;
        Ok(Self {
            params,
            threads,
            dummy_hash,
            argon2_cost,
            django_cost: Mutex::new((0, Duration::ZERO)),
            gauges: HashingGauges::default(),
            last_cost: Mutex::new(Duration::ZERO),
        })
    }

    /// Pads every verification to at least the cost of a Django hash of `iterations`
    /// (the highest count among the imported accounts), measured now; 0 leaves it to be
    /// learned from the first Django hash verified.
    #[must_use]
    pub fn covering_django_iterations(self, iterations: u32) -> Self {
        if iterations > 0 {
            let started = Instant::now();
            django_pbkdf2::spend(iterations);
            *self.django_cost.lock() = (iterations, started.elapsed());
        }
        self
    }

    /// Reports hashes waiting and running to these gauges.
    #[must_use]
    pub fn reporting_to(self, gauges: HashingGauges) -> Self {
        Self { gauges, ..self }
    }

    /// What every verification takes at least.
    fn floor(&self) -> Duration {
        self.argon2_cost.max(self.django_cost.lock().1)
    }

    /// A Django hash costlier than any known raises the floor from now on.
    fn learn_django_cost(&self, iterations: u32, cost: Duration) {
        let mut known = self.django_cost.lock();
        if iterations > known.0 {
            *known = (iterations, known.1.max(cost));
        }
    }

    /// Runs `work` on a hashing thread, counted as waiting while it queues and
    /// as running while a thread computes it.
    async fn on_hashing_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut HashMemory) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let waiting = InFlight::enter(&self.gauges.waiting);
        let running = self.gauges.running.clone();
        self.threads
            .run(move |memory| {
                drop(waiting);
                let _running = InFlight::enter(&running);
                work(memory)
            })
            .await
    }
}

const SALT_BYTES: usize = 16;

fn failed(error: impl std::fmt::Display) -> HashError {
    HashError::Failed(error.to_string())
}

fn hash_with(memory: &mut HashMemory, params: &Params, password: &[u8]) -> Result<String, HashError> {
    let mut salt = [0u8; SALT_BYTES];
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

/// What a stored value is, as far as verifying goes.
enum Stored {
    /// An argon2 PHC string whose parameters argon2 accepts.
    Argon2(String),
    /// An imported Django hash, well formed, of this many iterations.
    Django(String, u32),
    /// Nothing to verify against: no account, no password, or a value that is no usable hash.
    Nothing,
}

impl Stored {
    fn of(stored: Option<String>) -> Self {
        let Some(stored) = stored else { return Self::Nothing };
        if let Some(iterations) = DjangoHash::parse(&stored).map(|hash| hash.iterations) {
            return Self::Django(stored, iterations);
        }
        let usable = PasswordHash::new(&stored).is_ok_and(|hash| {
            matches!(hash.algorithm.as_str(), "argon2id" | "argon2i" | "argon2d") && Params::try_from(&hash).is_ok()
        });
        if usable {
            Self::Argon2(stored)
        } else {
            // The value itself stays out of the log: it might be a password stored in clear.
            tracing::warn!("stored password hash is neither argon2 nor Django PBKDF2; treating as no match");
            Self::Nothing
        }
    }
}

fn verify_argon2(memory: &mut HashMemory, candidate: &[u8], stored: &str) -> bool {
    // The hash's own algorithm, version and parameters, so older costs keep verifying.
    PasswordHash::new(stored).is_ok_and(|hash| matches_argon2(memory, candidate, &hash).unwrap_or(false))
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
        self.on_hashing_thread(move |memory| hash_with(memory, &params, &password)).await
    }

    async fn verify(&self, candidate: &str, stored: Option<String>) -> Result<bool, HashError> {
        let candidate = candidate.as_bytes().to_vec();
        let stored = Stored::of(stored);
        let django_iterations = match &stored {
            Stored::Django(_, iterations) => Some(*iterations),
            _ => None,
        };
        let dummy_hash = self.dummy_hash.clone();
        let (matched, cost) = self
            .on_hashing_thread(move |memory| {
                let started = Instant::now();
                let matched = match stored {
                    Stored::Argon2(hash) => verify_argon2(memory, &candidate, &hash),
                    Stored::Django(hash, _) => DjangoHash::parse(&hash).is_some_and(|hash| hash.matches(&candidate)),
                    // The work is done (and kept from being optimised away); the answer is no.
                    Stored::Nothing => {
                        std::hint::black_box(verify_argon2(memory, &candidate, &dummy_hash));
                        false
                    }
                };
                Ok((matched, started.elapsed()))
            })
            .await?;
        if let Some(iterations) = django_iterations {
            self.learn_django_cost(iterations, cost);
        }
        *self.last_cost.lock() = cost;
        // Off the hashing thread: waiting here takes no hashing capacity.
        if let Some(rest) = self.floor().checked_sub(cost) {
            tokio::time::sleep(rest).await;
        }
        Ok(matched)
    }

    /// Queued for a hashing thread like a verification, so a busy pool delays
    /// it as much, but the thread does no work; then as long as the last
    /// verification took, or the floor, whichever is more: on a loaded machine
    /// a verification outlasts the floor that was measured at start.
    async fn pass_verification_time(&self) {
        let _queued = self.on_hashing_thread(|_| Ok(())).await;
        let last_cost = *self.last_cost.lock();
        tokio::time::sleep(self.floor().max(last_cost)).await;
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
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn hashes_count_as_waiting_while_they_queue_and_running_while_a_thread_computes_them() {
        let gauges = HashingGauges::default();
        let hasher = Arc::new(Argon2PasswordHasher::new(1).unwrap().reporting_to(gauges.clone()));
        let hashes: Vec<_> = (0..3)
            .map(|_| {
                let hasher = Arc::clone(&hasher);
                tokio::spawn(async move { hasher.hash("correct-horse").await })
            })
            .collect();
        // Sampled until every hash is done: a hash is counted once, as waiting or as running.
        let deadline = Instant::now() + Duration::from_secs(30);
        let (mut seen_one_running_two_waiting, mut most_counted) = (false, 0);
        while Instant::now() < deadline && !hashes.iter().all(tokio::task::JoinHandle::is_finished) {
            let (waiting, running) = (gauges.waiting.get(), gauges.running.get());
            seen_one_running_two_waiting |= (waiting, running) == (2, 1);
            most_counted = most_counted.max(waiting + running);
            tokio::task::yield_now().await;
        }
        assert!(seen_one_running_two_waiting, "one hash runs on the only thread while two wait");
        assert!(most_counted <= 3, "{most_counted} hashes counted for 3");
        for hash in hashes {
            assert!(hash.await.unwrap().is_ok());
        }
        assert_eq!((gauges.waiting.get(), gauges.running.get()), (0, 0));
    }

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
    async fn no_stored_hash_and_unusable_values_never_match() {
        let hasher = Argon2PasswordHasher::with_params(1, 64, 1, 1).unwrap();
        assert!(!hasher.verify("dummy password for unknown accounts", None).await.unwrap());
        for unusable in [
            "not a phc string",
            "correct-horse",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
            "$argon2id$v=19$m=1,t=0,p=0$c29tZXNhbHQ$aGFzaA",
            "pbkdf2_sha256$0$salt$hash",
            "pbkdf2_sha256$99999999999$salt$hash",
            "pbkdf2_sha256$260000$salt",
        ] {
            assert!(!hasher.verify("correct-horse", Some(unusable.into())).await.unwrap(), "{unusable}");
        }
    }

    #[tokio::test]
    async fn the_floor_covers_the_costliest_django_hash_configured_or_seen() {
        let hasher = Argon2PasswordHasher::with_params(1, 64, 1, 1).unwrap();
        assert_eq!(hasher.floor(), hasher.argon2_cost);

        let configured = Argon2PasswordHasher::with_params(1, 64, 1, 1).unwrap().covering_django_iterations(50_000);
        assert_eq!(configured.django_cost.lock().0, 50_000);
        assert!(configured.floor() >= configured.django_cost.lock().1);

        let django = "pbkdf2_sha256$260000$Dj4ngoSaltV3ctor$fAUhPyLEOUd0QrZ6xhHQDPqV8opzpw4M0+O9Hs9DLwo=";
        let started = Instant::now();
        assert!(!hasher.verify("wrong-horse", Some(django.into())).await.unwrap());
        let took = started.elapsed();
        let (iterations, cost) = *hasher.django_cost.lock();
        assert_eq!(iterations, 260_000);
        assert!(cost > Duration::ZERO && cost <= took, "{cost:?} of {took:?}");
        assert_eq!(hasher.floor(), cost.max(hasher.argon2_cost));
        // A cheaper Django hash leaves the floor where it is.
        let cheaper = "pbkdf2_sha256$1000$salt$hash";
        assert!(!hasher.verify("wrong-horse", Some(cheaper.into())).await.unwrap());
        assert_eq!(*hasher.django_cost.lock(), (iterations, cost));
    }
}
