use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lenient;

/// The code of `wx.login()`, and optionally the profile the mini-program shows.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "0a3Kx2000aBcDe1XyZ2000Qw7d0Kx20T", "nickname": "小明", "avatar": "https://thirdwx.qlogo.cn/mmopen/avatar/132"}))]
pub struct MiniProgramLoginRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
    /// At most 20 characters; kept for a new account only.
    #[serde(default, deserialize_with = "lenient::text")]
    pub nickname: Option<String>,
    /// An http(s) URL; kept for a new account only.
    #[serde(default, deserialize_with = "lenient::text")]
    pub avatar: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig", "user_id": 1, "username": "wx_a1b2c3d4e5",
    "nickname": "小明", "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "created": true, "restored": false}))]
pub struct MiniProgramLoginResponse {
    pub token: String,
    pub user_id: i64,
    pub username: String,
    pub nickname: Option<String>,
    pub refresh_token: String,
    /// Whether this login created the account.
    pub created: bool,
    /// `true` when the account was scheduled for deletion (`POST /user/deletion/`) and this sign-in,
    /// within the cooling-off, cancelled that; `false` otherwise.
    pub restored: bool,
}

/// The code of the mini-program's phone button.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"}))]
pub struct MiniProgramPhoneRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
}
