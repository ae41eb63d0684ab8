use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::http::api_error::ApiError;
use crate::http::client_ip::peer_ip;
use crate::http::dto::DevOutboxResponse;
use crate::http::error_body::ErrorBody;
use crate::http::state::ApiState;

/// Development outbox: the last codes and captchas
///
/// Served only while it is on: every message channel uses the development
/// adapter (or `DEV_OUTBOX=true`) and `TRUSTED_PROXIES` is empty. Even then
/// only to a loopback peer whose request carries no `X-Forwarded-For`,
/// `Forwarded` or `X-Real-IP`: behind a reverse proxy on the same host every
/// client would otherwise be 127.0.0.1. Anything else is 404.
#[utoipa::path(
    get,
    path = "/dev/outbox/",
    tag = "development",
    responses(
        (status = 200, description = "Newest first", body = DevOutboxResponse),
        (status = 404, description = "The outbox is off (a real message provider or `TRUSTED_PROXIES` is configured, or `DEV_OUTBOX=false`), the peer is not loopback, or the request was forwarded by a proxy", body = ErrorBody),
    )
)]
#[handler]
pub async fn dev_outbox(req: &mut Request, depot: &mut Depot) -> Result<Json<DevOutboxResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    match &state.dev_outbox {
        Some(outbox) if is_direct_loopback(req) => {
            Ok(Json(DevOutboxResponse { messages: outbox.messages(), captchas: outbox.captchas() }))
        }
        _ => Err(ApiError::RouteNotFound),
    }
}

/// Headers a reverse proxy adds; their presence means the loopback peer is
/// only the proxy, whoever the client is.
const FORWARDING_HEADERS: [&str; 3] = ["x-forwarded-for", "forwarded", "x-real-ip"];

fn is_direct_loopback(req: &Request) -> bool {
    peer_ip(req).is_loopback() && FORWARDING_HEADERS.iter().all(|name| !req.headers().contains_key(*name))
}
