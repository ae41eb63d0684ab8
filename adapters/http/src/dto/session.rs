use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lenient;

/// Password login. `username` may be a username, a mobile or an email.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"username": "13800138000", "password": "correct-horse"}))]
pub struct LoginRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
    "user_id": 1, "id": 1, "username": "alice", "expires_in": 86400,
    "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "restored": false
}))]
pub struct LoginResponse {
    /// Access token (JWT of `JWT_ALGORITHM`: HS256 by default, or ES256/EdDSA verifiable with `/.well-known/jwks.json`); send as `Authorization: JWT <token>` or `Bearer <token>`.
    pub token: String,
    pub user_id: i64,
    /// Same as `user_id` (classic pages read either).
    pub id: i64,
    pub username: String,
    /// Seconds until `token` expires.
    pub expires_in: u64,
    /// Opaque; exchange it at `POST /authorizations/refresh/` for a new pair. Single use.
    pub refresh_token: String,
    /// `true` when the account was scheduled for deletion (`POST /user/deletion/`) and this sign-in,
    /// within the cooling-off, cancelled that; `false` otherwise.
    pub restored: bool,
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}))]
pub struct RefreshRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub refresh_token: Option<String>,
}

/// A new access token and the successor of the presented refresh token.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig", "expires_in": 86400,
    "refresh_token": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
}))]
pub struct RefreshResponse {
    pub token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

/// Optionally, the refresh token of the session being ended, whose family is revoked too.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}))]
pub struct LogoutRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub refresh_token: Option<String>,
}
