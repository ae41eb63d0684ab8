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
    "user_id": 1, "id": 1, "username": "alice", "expires_in": 86400
}))]
pub struct LoginResponse {
    /// Access token (JWT, HS256); send as `Authorization: JWT <token>` or `Bearer <token>`.
    pub token: String,
    pub user_id: i64,
    /// Same as `user_id` (classic pages read either).
    pub id: i64,
    pub username: String,
    /// Seconds until `token` expires.
    pub expires_in: u64,
}
