use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    /// `ok`.
    pub status: String,
}

/// Whether each backing service answers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "unavailable", "checks": {"database": "up", "cache": "down"}}))]
pub struct Readiness {
    /// `ok` when every check is `up`, else `unavailable`.
    pub status: String,
    /// `up` or `down` per service (`database`, `cache`).
    pub checks: BTreeMap<String, String>,
}
