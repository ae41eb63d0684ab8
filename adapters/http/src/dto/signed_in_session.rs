use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// One place the signed-in user is signed in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0f8e2b6c4d3a4e1f9a7b5c3d2e1f0a9b", "current": true,
    "created_at": "2026-12-01T08:00:00Z", "last_used_at": "2026-12-06T09:30:00Z",
    "device": "Chrome on Windows", "ip": "203.0.113.0/24"
}))]
pub struct SignedInSessionResponse {
    /// The session's id, as `DELETE /user/sessions/{id}/` takes it (the access tokens' `sid` claim).
    pub id: String,
    /// Whether the token of this request belongs to it.
    pub current: bool,
    /// When the person signed in.
    pub created_at: DateTime<Utc>,
    /// When the session was started or its refresh token last exchanged (using an access token does not count).
    pub last_used_at: DateTime<Utc>,
    /// A short name made from the User-Agent of the sign-in ("Chrome on Windows", "Safari on iPhone", "WeChat
    /// mini-program"), or "Unknown device".
    pub device: String,
    /// The network of the latest sign-in or refresh: its /24 for IPv4, its /48 for IPv6. `null` for sessions
    /// started before addresses were recorded.
    pub ip: Option<String>,
}
