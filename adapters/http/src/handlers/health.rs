use std::collections::BTreeMap;

use application::ports::NotReady;
use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Response};

use crate::api_error::ApiError;
use crate::dto::{HealthStatus, Readiness};
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Liveness: the process answers
#[utoipa::path(get, path = "/health/live/", operation_id = "checkLiveness", tag = "operations",
    responses(
        (status = 200, description = "The process is up", body = HealthStatus),
        (status = "4XX", description = "Not answered by this route; listed because every client error of the service has the one error body", body = ErrorBody),
    ))]
#[handler]
pub async fn live() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok".into() })
}

/// Readiness: the database and the cache answer, fit for use
///
/// A Redis whose `maxmemory-policy` is anything but `noeviction` makes the
/// service unready: Redis could then evict spent-token markers, code attempts
/// and locks before their time. The policy is asked at most once every 5 s.
#[utoipa::path(get, path = "/health/ready/", operation_id = "checkReadiness", tag = "operations",
    responses(
        (status = 200, description = "Every backing service answers, fit for use", body = Readiness,
            example = json!({"status": "ok", "checks": {"database": "up", "cache": "up"}})),
        (status = 503, description = "At least one backing service does not answer (`down`) or runs with a setting that breaks a guarantee of the service (`misconfigured`, explained in `problems`: a Redis `maxmemory-policy` other than `noeviction`, named); `checks` says which", body = Readiness),
        (status = "4XX", description = "Not answered by this route; listed because every client error of the service has the one error body", body = ErrorBody),
    ))]
#[handler]
pub async fn ready(depot: &mut Depot, res: &mut Response) -> Result<Json<Readiness>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let readiness = state.check_readiness.execute().await;
    let all_up = readiness.is_ready();
    if !all_up {
        res.status_code(StatusCode::SERVICE_UNAVAILABLE);
    }
    let mut checks = BTreeMap::new();
    let mut problems = BTreeMap::new();
    for (backend, result) in readiness.checks {
        let name = backend.name().to_owned();
        let check = match result {
            Ok(()) => "up",
            Err(NotReady::Unreachable(reason)) => {
                tracing::warn!(backend = backend.name(), %reason, "readiness check failed");
                "down"
            }
            Err(NotReady::Misconfigured(reason)) => {
                tracing::warn!(backend = backend.name(), %reason, "readiness check failed");
                problems.insert(name.clone(), reason);
                "misconfigured"
            }
        };
        checks.insert(name, check.to_owned());
    }
    Ok(Json(Readiness { status: if all_up { "ok" } else { "unavailable" }.into(), checks, problems }))
}
