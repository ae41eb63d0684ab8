use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The public keys access tokens are verified with (RFC 7517 JWK Set).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "alg": "EdDSA", "use": "sig"}]}))]
pub struct JwkSetResponse {
    /// The current key first, then earlier keys whose tokens have not all expired.
    pub keys: Vec<PublicJwk>,
}

/// One public key: no private parameter is ever part of it. Only these fields are read from a key,
/// so nothing else can be published by mistake.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicJwk {
    /// `OKP` (Ed25519) or `EC` (P-256).
    pub kty: String,
    /// `Ed25519` or `P-256`.
    pub crv: String,
    /// The public key (Ed25519), or its x coordinate (P-256), base64url.
    pub x: String,
    /// The y coordinate (P-256 only), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// The key's RFC 7638 thumbprint (SHA-256), which the header of every token it signed names.
    pub kid: String,
    /// `EdDSA` or `ES256`.
    pub alg: String,
    /// `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
}
