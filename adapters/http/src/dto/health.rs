use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    /// `ok`.
    pub status: String,
}

/// Whether each backing service answers, with the settings the service needs.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "unavailable", "checks": {"database": "up", "cache": "misconfigured"},
    "problems": {"cache": "Redis maxmemory-policy is allkeys-lru: it may evict spent tokens, code attempts and locks; noeviction is required"}}))]
pub struct Readiness {
    /// `ok` when every check is `up`, else `unavailable`.
    pub status: String,
    /// Per service (`database`, `cache`): `up`; `down` when it does not answer
    /// in time; `misconfigured` when it answers with a setting that breaks a
    /// guarantee of the service (a Redis whose `maxmemory-policy` is not `noeviction`).
    pub checks: BTreeMap<String, String>,
    /// Per `misconfigured` service, the setting at fault and why; absent when there is none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub problems: BTreeMap<String, String>,
}
