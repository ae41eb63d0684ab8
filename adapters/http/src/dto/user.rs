use chrono::{DateTime, NaiveDate, Utc};
use domain::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lenient;

/// Registration with a mobile and its SMS code, or (without a mobile) an email and its email code.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "username": "alice", "password": "correct-horse", "password2": "correct-horse",
    "mobile": "13800138000", "sms_code": "123456", "allow": true
}))]
pub struct RegisterRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub password2: Option<String>,
    /// Mainland China mobile; `+86`, spaces and hyphens are accepted.
    #[serde(default, deserialize_with = "lenient::text")]
    pub mobile: Option<String>,
    /// The 6 digits sent by `GET /sms_codes/{mobile}/`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub sms_code: Option<String>,
    /// Used when no mobile is given: the address to register with.
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    /// The 6 digits sent by `GET /email_codes/{email}/?send_type=register`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub email_code: Option<String>,
    /// Acceptance of the user agreement: `true` or `"true"`.
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = Option<bool>)]
    pub allow: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "username": "alice", "mobile": "13800138000", "email": null,
    "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig",
    "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
}))]
pub struct RegisterResponse {
    pub id: i64,
    pub username: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// Access token, so a new user is logged in at once.
    pub token: String,
    /// Opaque; exchange it at `POST /authorizations/refresh/`. Single use.
    pub refresh_token: String,
}

/// The signed-in user's own account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "username": "alice", "mobile": "13800138000", "email": null, "email_active": false,
    "nickname": null, "avatar": null, "gender": "unknown", "birthday": null, "address": null,
    "signature": null, "date_joined": "2026-11-22T08:00:00Z", "last_login": null
}))]
pub struct UserResponse {
    pub id: i64,
    pub username: String,
    pub mobile: Option<String>,
    /// The address asked for last: the one waiting for its verification link
    /// if there is one (then `email_active` is false), otherwise the verified one.
    pub email: Option<String>,
    /// Whether `email` is verified; only a verified address logs in and counts as taken.
    pub email_active: bool,
    pub nickname: Option<String>,
    pub avatar: Option<String>,
    /// `male`, `female` or `unknown`.
    pub gender: String,
    pub birthday: Option<NaiveDate>,
    pub address: Option<String>,
    pub signature: Option<String>,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        let email = user.latest_email().map(ToString::to_string);
        let email_active = user.latest_email_verified();
        Self {
            id: user.id.0,
            username: user.username,
            mobile: user.mobile.map(|m| m.to_string()),
            email,
            email_active,
            nickname: user.profile.nickname,
            avatar: user.profile.avatar,
            gender: user.profile.gender.as_str().to_owned(),
            birthday: user.profile.birthday,
            address: user.profile.address,
            signature: user.profile.signature,
            date_joined: user.date_joined,
            last_login: user.last_login,
        }
    }
}

/// Any of the profile fields; an absent field is left as it is, `null` (or an
/// empty string) clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"nickname": "小明", "gender": "male", "birthday": "1990-05-17", "avatar": "https://img.example.com/a.png"}))]
pub struct ProfilePatchRequest {
    /// At most 20 characters.
    #[serde(default, deserialize_with = "lenient::patch_text")]
    #[schema(value_type = Option<String>)]
    pub nickname: Option<Option<String>>,
    /// An http(s) URL, at most 512 characters.
    #[serde(default, deserialize_with = "lenient::patch_text")]
    #[schema(value_type = Option<String>)]
    pub avatar: Option<Option<String>>,
    /// `male`, `female` or `unknown`.
    #[serde(default, deserialize_with = "lenient::patch_text")]
    #[schema(value_type = Option<String>)]
    pub gender: Option<Option<String>>,
    /// `YYYY-MM-DD`, not in the future.
    #[serde(default, deserialize_with = "lenient::patch_text")]
    #[schema(value_type = Option<String>, format = Date)]
    pub birthday: Option<Option<String>>,
    /// At most 200 characters.
    #[serde(default, deserialize_with = "lenient::patch_text")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// At most 200 characters.
    #[serde(default, deserialize_with = "lenient::patch_text")]
    #[schema(value_type = Option<String>)]
    pub signature: Option<Option<String>>,
}

/// A new password, authorised by the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"old_password": "correct-horse", "password": "battery-staple", "password2": "battery-staple"}))]
pub struct ChangePasswordRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub old_password: Option<String>,
    /// 8–20 characters.
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub password2: Option<String>,
}
