use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::http::api_error::ApiError;
use crate::http::dto::DevOutboxResponse;
use crate::http::error_body::ErrorBody;
use crate::http::state::ApiState;

/// Development outbox: the last codes and captchas
///
/// Served only while the development message adapters are in use, and only
/// to loopback clients (the socket's peer; `X-Forwarded-For` is not believed here).
#[utoipa::path(
    get,
    path = "/dev/outbox/",
    tag = "development",
    responses(
        (status = 200, description = "Newest first", body = DevOutboxResponse),
        (status = 404, description = "Not in development mode, or not a loopback client", body = ErrorBody),
    )
)]
#[handler]
pub async fn dev_outbox(req: &mut Request, depot: &mut Depot) -> Result<Json<DevOutboxResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let loopback = req.remote_addr().ip().is_some_and(|ip| ip.is_loopback());
    match &state.dev_outbox {
        Some(outbox) if loopback => {
            Ok(Json(DevOutboxResponse { messages: outbox.messages(), captchas: outbox.captchas() }))
        }
        _ => Err(ApiError::RouteNotFound),
    }
}
