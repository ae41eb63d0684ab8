use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One sign-in, or one refused sign-in, of the signed-in user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "at": "2026-12-06T09:30:00Z", "method": "password", "device": "Safari on iPhone",
    "ip": "198.51.100.0/24", "outcome": "success"
}))]
pub struct SignInResponse {
    pub at: DateTime<Utc>,
    /// How: `password`, `sms`, `qq`, `wechat_web` (website QR login), `wechat_mp` (mini-program) or `refresh`
    /// (a refresh token exchanged).
    #[schema(example = "password")]
    pub method: String,
    /// A short name made from the User-Agent ("Chrome on Windows"), or "Unknown device".
    pub device: String,
    /// The client's network: its /24 for IPv4, its /48 for IPv6.
    pub ip: String,
    /// `success`, `wrong_password` (the password, or for `sms` the code, was wrong) or `locked` (refused
    /// unchecked after too many failures).
    #[schema(example = "success")]
    pub outcome: String,
}

/// How many entries to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignInHistoryQuery {
    /// 1 to 100; 20 when absent.
    #[param(example = 20)]
    pub limit: Option<String>,
}
