//! Password hashing, access tokens (HS256, ES256, EdDSA) and their keys, flow tokens, and keyed digests of one-time codes.

mod access_token_algorithm;
mod access_token_keys;
mod argon2_password_hasher;
mod code_digester;
mod derived_mac;
mod django_pbkdf2;
mod hashing_threads;
mod jwt_flow_token_signer;
mod jwt_token_issuer;
mod jwt_validation;
mod service_secret;
mod signing_key;
mod verification_key;
mod verified_tokens;

pub use access_token_algorithm::AccessTokenAlgorithm;
pub use access_token_keys::AccessTokenKeys;
pub use argon2_password_hasher::Argon2PasswordHasher;
pub use code_digester::CodeDigester;
pub use derived_mac::derived_mac;
pub use jwt_flow_token_signer::JwtFlowTokenSigner;
pub use jwt_token_issuer::JwtTokenIssuer;
pub use service_secret::ServiceSecret;
pub use signing_key::SigningKey;
pub use verification_key::{KeyError, VerificationKey};

pub mod system;
