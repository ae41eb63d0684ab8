//! Access tokens whose signature was already checked. An Ed25519 or P-256
//! verify costs 35–200 µs where HS256 costs 2, and the same token comes back
//! with every request of its session: checking its signature once per
//! instance brings `GET /user/` back to the HS256 rate. Only the signature
//! and fixed claims are remembered; expiry is checked again at every use,
//! and revocation is not this module's business (the token standing is
//! checked on every request as before).

use std::sync::Arc;

use application::ports::AccessClaims;
use chrono::Utc;
use moka::sync::Cache;
use sha2::{Digest, Sha256};

/// At most this many tokens are remembered (a few hundred bytes each).
const CAPACITY: u64 = 20_000;

pub(super) struct VerifiedTokens {
    claims: Cache<[u8; 32], Arc<AccessClaims>>,
}

impl VerifiedTokens {
    pub(super) fn new() -> Self {
        Self { claims: Cache::new(CAPACITY) }
    }

    /// What `token` was verified to say, if it was, and it has not expired
    /// since. Keyed by the SHA-256 of the exact text, so a token differing in
    /// any byte is verified on its own.
    pub(super) fn get(&self, token: &str) -> Option<Result<AccessClaims, Expired>> {
        let claims = self.claims.get(&digest(token))?;
        // Accepted only before the second `exp` names, as the full check does.
        if claims.expires_at.timestamp() <= Utc::now().timestamp() {
            return Some(Err(Expired));
        }
        Some(Ok(AccessClaims::clone(&claims)))
    }

    pub(super) fn remember(&self, token: &str, claims: &AccessClaims) {
        self.claims.insert(digest(token), Arc::new(claims.clone()));
    }
}

/// A remembered token that has expired since.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Expired;

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
