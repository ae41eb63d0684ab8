//! The signed-in user's sessions: where they are signed in, and ending one.

use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::dto::SignedInSessionResponse;
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Where the user is signed in
///
/// One entry per signed-in session (each login or registration starts one;
/// refreshing keeps it), the most recently used first, at most 100. The one
/// this request's token belongs to is `current`. A session that was logged
/// out, ended, signed out everywhere, or left to expire is not listed.
#[utoipa::path(
    get,
    path = "/user/sessions/", operation_id = "listSessions",
    tag = "sessions",
    security(("jwt" = [])),
    responses(
        (status = 200, description = "The signed-in sessions", body = Vec<SignedInSessionResponse>,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, description = "No token (`not_authenticated`), a garbled one (`token_invalid`), an expired one (`token_expired`) or one already revoked (`token_revoked`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn list(depot: &mut Depot) -> Result<Json<Vec<SignedInSessionResponse>>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let claims = claims(depot)?;
    let sessions = state.sessions.list_sessions.execute(claims).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|session| SignedInSessionResponse {
                id: session.id,
                current: session.current,
                created_at: session.created_at,
                last_used_at: session.last_used_at,
                device: session.device,
                ip: session.ip,
            })
            .collect(),
    ))
}

/// End one session
///
/// Ends the session as a logout ends its own: its refresh token and every
/// access token it issued stop working, on every instance, within the same
/// bound as a logout (docs/security.md). Any of the user's sessions may be
/// ended, the current one included; the others are untouched.
#[utoipa::path(
    delete,
    path = "/user/sessions/{session_id}/", operation_id = "endSession",
    tag = "sessions",
    security(("jwt" = [])),
    params(("session_id" = String, Path, description = "A session's `id` from `GET /user/sessions/`", example = "0f8e2b6c4d3a4e1f9a7b5c3d2e1f0a9b")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No, garbled, expired or revoked token (`not_authenticated`, `token_invalid`, `token_expired`, `token_revoked`)", body = ErrorBody),
        (status = 404, description = "Not a signed-in session of this user: another user's, an ended one, or none at all (`not_found`)", body = ErrorBody,
            example = json!({"code": "not_found", "message": "未找到。", "non_field_errors": ["未找到。"]})),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn end(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let claims = claims(depot)?.clone();
    let session = req.param::<String>("session_id").unwrap_or_default();
    state.sessions.end_session.execute(&claims, &session, state.client_ip.resolve(req)).await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}
