use salvo::handler;
use salvo::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use salvo::prelude::{Depot, Request, Response};

use crate::api_error::ApiError;
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Prometheus metrics
///
/// The OpenMetrics text format (which Prometheus scrapes): `accounts_http_requests_total` by method, route
/// template and status; `accounts_http_request_duration_seconds` histograms by route template;
/// `accounts_password_hashes_waiting` and `accounts_password_hashes_running`; `accounts_outbox_messages` with
/// `status` `pending` or `dead`; `accounts_backend_errors_total` by backing service (answers 503);
/// `accounts_limits_hit_total` by route template (answers 429); `accounts_account_cache_hits_total`,
/// `accounts_account_cache_misses_total` and `accounts_account_cache_listening`;
/// `accounts_availability_checks_from_memory_total`, `accounts_availability_checks_from_database_total` and
/// `accounts_taken_names_filter_ready`. Served only to clients in `METRICS_ALLOW`
/// (loopback by default). A request carrying `X-Forwarded-For`, `Forwarded` or `X-Real-IP` is served only
/// when its peer is a trusted proxy (`TRUSTED_PROXIES`) and the client that `X-Forwarded-For` resolves to is
/// allowed: otherwise a reverse proxy on the same host would make every client look local. Anyone else gets 404.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "getMetrics",
    tag = "operations",
    responses(
        (status = 200, description = "The metrics", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String,
            example = "# HELP accounts_http_requests HTTP requests by route template and status\n# TYPE accounts_http_requests counter\naccounts_http_requests_total{method=\"GET\",route=\"/health/live/\",status=\"200\"} 3\n# EOF\n"),
        (status = 404, description = "The client is not allowed to read the metrics (`not_found`)", body = ErrorBody),
    )
)]
#[handler]
pub async fn metrics(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let endpoint = &state.metrics;
    let allowed = state.client_ip.resolve_known(req).is_some_and(|client| endpoint.allows(client));
    if !allowed {
        return Err(ApiError::RouteNotFound);
    }
    // A database that does not answer leaves the outbox gauges at their last values; the rest still shows.
    let outbox = endpoint.outbox.counts().await.ok();
    let text =
        endpoint.metrics.encode(outbox).map_err(|e| ApiError::App(application::AppError::Internal(e.to_string())))?;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.write_body(text).map_err(|e| ApiError::App(application::AppError::Internal(e.to_string())))?;
    Ok(())
}
