use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lenient;

/// Sign-in by SMS: the mobile and the code `GET /sms_codes/{mobile}/` sent to it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"mobile": "13800138000", "sms_code": "123456"}))]
pub struct SmsLoginRequest {
    /// A mainland China mobile.
    #[serde(default, deserialize_with = "lenient::text")]
    pub mobile: Option<String>,
    /// The 6-digit code sent by `GET /sms_codes/{mobile}/`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub sms_code: Option<String>,
}

/// The answer of a password login, and whether this sign-in opened the account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(
    json!({
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
        "user_id": 1, "id": 1, "username": "alice", "expires_in": 86400,
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "created": false, "restored": false
    }),
    json!({
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo3fQ.sig",
        "user_id": 7, "id": 7, "username": "m_a1b2c3d4e5", "expires_in": 86400,
        "refresh_token": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "created": true, "restored": false
    })
))]
pub struct SmsLoginResponse {
    /// Access token, as `POST /authorizations/` gives it; send as `Authorization: JWT <token>` or `Bearer <token>`.
    pub token: String,
    pub user_id: i64,
    /// Same as `user_id` (classic pages read either).
    pub id: i64,
    /// The account's username; a new account's is generated (`m_` and ten letters or digits).
    pub username: String,
    /// Seconds until `token` expires.
    pub expires_in: u64,
    /// Opaque; exchange it at `POST /authorizations/refresh/` for a new pair. Single use.
    pub refresh_token: String,
    /// Whether this sign-in opened the account (a mobile without one, while `SMS_LOGIN_SIGNUP` is on).
    pub created: bool,
    /// Whether this sign-in cancelled the account's scheduled deletion (`POST /user/deletion/`).
    pub restored: bool,
}
