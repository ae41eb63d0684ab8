use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::client_ip::{FORWARDING_HEADERS, peer_ip};
use crate::dto::DevOutboxResponse;
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Development outbox: the last codes and captchas
///
/// Served only while it is on: every message channel uses the development
/// adapter (or `DEV_OUTBOX=true`) and `TRUSTED_PROXIES` is empty. Even then
/// only to a loopback peer whose request carries no `X-Forwarded-For`,
/// `Forwarded` or `X-Real-IP`: behind a reverse proxy on the same host every
/// client would otherwise be 127.0.0.1. Anything else is 404.
#[utoipa::path(
    get,
    path = "/dev/outbox/", operation_id = "getDevOutbox",
    tag = "development",
    responses(
        (status = 200, description = "Newest first. A message shows as soon as the request that queued it has answered, with its delivery status; while the database is unavailable `messages` is empty and `captchas` still shows", body = DevOutboxResponse),
        (status = 404, description = "The outbox is off (a real message provider or `TRUSTED_PROXIES` is configured, or `DEV_OUTBOX=false`), the peer is not loopback, or the request was forwarded by a proxy", body = ErrorBody),
    )
)]
#[handler]
pub async fn dev_outbox(req: &mut Request, depot: &mut Depot) -> Result<Json<DevOutboxResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    match &state.dev_outbox {
        Some(outbox) if is_direct_loopback(req) => {
            // Captchas live in the cache: while the database is down they still show, and the messages do not.
            let messages = outbox.messages().await.unwrap_or_else(|error| {
                tracing::warn!(%error, "development outbox: the outbox table cannot be read");
                Vec::new()
            });
            Ok(Json(DevOutboxResponse {
                messages: messages.into_iter().map(Into::into).collect(),
                captchas: outbox.captchas().into_iter().map(Into::into).collect(),
            }))
        }
        _ => Err(ApiError::RouteNotFound),
    }
}

fn is_direct_loopback(req: &Request) -> bool {
    peer_ip(req).is_loopback() && FORWARDING_HEADERS.iter().all(|name| !req.headers().contains_key(*name))
}
