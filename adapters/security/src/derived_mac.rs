use hmac::Hmac;
use hmac::digest::KeyInit;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use super::ServiceSecret;

/// An HMAC-SHA256 keyed by SHA-256(`purpose` ‖ `service_secret`): every
/// instance sharing the secret derives the same key, and each purpose its own,
/// so a digest made for one use never matches in another.
pub fn derived_mac(purpose: &[u8], service_secret: &ServiceSecret) -> Hmac<Sha256> {
    let derived = Sha256::new().chain_update(purpose).chain_update(service_secret.expose_secret()).finalize();
    // HMAC zero-pads a short key to the block size, so a 64-byte block
    // holding the 32-byte key is the same key, with an infallible constructor.
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&derived);
    <Hmac<Sha256> as KeyInit>::new(&block.into())
}
