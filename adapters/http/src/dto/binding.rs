use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A third-party login bound to the signed-in user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"provider": "qq", "bound_at": "2026-11-22T08:00:00Z"}))]
pub struct BindingResponse {
    /// `qq`, `wechat_mp` (mini-program) or `wechat_web` (website QR login).
    pub provider: String,
    pub bound_at: DateTime<Utc>,
}
