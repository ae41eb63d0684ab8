use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::lenient;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OAuthAuthorizationQuery {
    /// Where to go after the login: a local path (`/…`); anything else becomes `/`.
    #[param(example = "/user_center_info.html")]
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OAuthStartQuery {
    /// The start ticket inside `login_url`.
    #[param(example = "eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfc3RhcnQifQ.sig")]
    pub flow: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "login_url": "http://api.meiduo.site:8000/oauth/qq/start/?flow=eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfc3RhcnQifQ.sig",
    "oauth_url": "http://api.meiduo.site:8000/oauth/qq/start/?flow=eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfc3RhcnQifQ.sig"
}))]
pub struct OAuthAuthorizationResponse {
    /// The hop on this service with a fresh start ticket: open it in the browser (a
    /// top-level navigation, not a background request); it sets the flow cookie and
    /// redirects to the provider (QQ, or WeChat's QR page).
    pub login_url: String,
    /// The same URL (classic pages read either).
    pub oauth_url: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OAuthCallbackQuery {
    /// The authorization code the provider appended to the redirect.
    pub code: Option<String>,
    /// Optional: the `state` the provider returned (the flow's `next`), raw or
    /// percent-decoded; when sent it must name the flow's `next`.
    pub state: Option<String>,
}

/// The callback's answer: logged in when the identity is bound, otherwise a
/// bind token for the bind form (`POST /oauth/qq/user/` or `POST /oauth/wechat/user/`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum OAuthCallbackResponse {
    #[schema(example = json!({"token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig", "user_id": 1, "username": "alice",
        "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "next": "/", "restored": false}))]
    LoggedIn {
        token: String,
        user_id: i64,
        username: String,
        refresh_token: String,
        /// Where to go now (the `next` of the authorization request).
        next: String,
        /// `true` when the account was scheduled for deletion (`POST /user/deletion/`) and this sign-in,
        /// within the cooling-off, cancelled that; `false` otherwise.
        restored: bool,
    },
    #[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfYmluZCJ9.sig", "next": "/"}))]
    BindRequired {
        /// Single use, 600 s: send it with the bind form.
        access_token: String,
        next: String,
    },
}

/// Binds the identity of `access_token` (a QQ or WeChat bind token) to the account of `mobile`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"mobile": "13800138000", "password": "correct-horse", "sms_code": "123456",
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJmbG93Ijoib2F1dGhfYmluZCJ9.sig"}))]
pub struct OAuthBindRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub mobile: Option<String>,
    /// The account's password, or the new account's when the mobile is not registered.
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    /// From `GET /sms_codes/{mobile}/`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub sms_code: Option<String>,
    /// The bind token of the callback.
    #[serde(default, deserialize_with = "lenient::text")]
    pub access_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.sig", "id": 1, "user_id": 1,
    "username": "13800138000", "refresh_token": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "restored": false}))]
pub struct OAuthBindResponse {
    pub token: String,
    pub id: i64,
    /// Same as `id` (classic pages read either).
    pub user_id: i64,
    pub username: String,
    pub refresh_token: String,
    /// `true` when the account was scheduled for deletion (`POST /user/deletion/`) and this sign-in,
    /// within the cooling-off, cancelled that; `false` otherwise.
    pub restored: bool,
}
