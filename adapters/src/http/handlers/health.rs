use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Response};

use crate::http::api_error::ApiError;
use crate::http::dto::{HealthStatus, Readiness};
use crate::http::error_body::ErrorBody;
use crate::http::state::ApiState;

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

/// Readiness: the database and the cache answer
#[utoipa::path(get, path = "/health/ready/", operation_id = "checkReadiness", tag = "operations",
    responses(
        (status = 200, description = "Every backing service answers", body = Readiness),
        (status = 503, description = "At least one backing service does not answer; `checks` says which", body = Readiness),
        (status = "4XX", description = "Not answered by this route; listed because every client error of the service has the one error body", body = ErrorBody),
    ))]
#[handler]
pub async fn ready(depot: &mut Depot, res: &mut Response) -> Result<Json<Readiness>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let readiness = state.check_readiness.execute().await;
    let all_up = readiness.is_ready();
    if !all_up {
        res.status_code(StatusCode::SERVICE_UNAVAILABLE);
        for (backend, result) in &readiness.checks {
            if let Err(reason) = result {
                tracing::warn!(backend = backend.name(), %reason, "readiness check failed");
            }
        }
    }
    Ok(Json(Readiness {
        status: if all_up { "ok" } else { "unavailable" }.into(),
        checks: readiness
            .checks
            .into_iter()
            .map(|(backend, result)| (backend.name().to_owned(), if result.is_ok() { "up" } else { "down" }.to_owned()))
            .collect(),
    }))
}
