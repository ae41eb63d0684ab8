use application::use_cases::LogInRequest;
use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::body::read_body;
use crate::dto::{LoginRequest, LoginResponse, LogoutRequest, RefreshRequest, RefreshResponse};
use crate::error_body::ErrorBody;
use crate::sign_in_origin::sign_in_origin;
use crate::state::ApiState;

/// Log in with a password
///
/// `username` may be a username, a mobile or an email. A wrong account and a
/// wrong password give the same answer in the same time. After 5 failures for
/// one account within 15 min, no password of it is checked for that window,
/// whichever of its names is used; after 5 failures for one name as typed
/// (known or not), or 30 from one client IP within 10 min, that name or address
/// is refused for that window (429 with `Retry-After`). So another name of a
/// locked account answers like an unknown name: 400, then 429 once it has
/// failed 5 times itself. A success resets the account's and the name's counts.
/// A try holds its place in the counts while its password is checked, so
/// simultaneous tries get no more checks than the limits allow; a try finding
/// the places held waits (up to 2 s) for those checks to end, and gets the 429
/// only if they were failures that reached the limit.
#[utoipa::path(
    post,
    path = "/authorizations/", operation_id = "logIn",
    tag = "sessions",
    request_body(content(
        (LoginRequest = "application/json"),
        (LoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Logged in", body = LoginResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Wrong account or password (`invalid_credentials`), an empty field (`required`) or a malformed body (`malformed_body`)", body = ErrorBody,
            example = json!({"code": "invalid_credentials", "message": "用户名或密码错误", "non_field_errors": ["用户名或密码错误"]})),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 429, description = "Too many failures for this name or from this address (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the lock ends")),
            example = json!({"code": "rate_limited", "message": "操作过于频繁，请900秒后再试", "non_field_errors": ["操作过于频繁，请900秒后再试"], "retry_after": 900})),
        (status = 415, description = "Neither JSON nor a urlencoded form (`unsupported_media_type`)", body = ErrorBody),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn log_in(req: &mut Request, depot: &mut Depot) -> Result<Json<LoginResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let body: LoginRequest = read_body(req, state.max_body_bytes).await?;
    let origin = sign_in_origin(&state, req);
    let logged_in = state
        .accounts
        .log_in
        .execute(LogInRequest {
            account: body.username.unwrap_or_default(),
            password: body.password.unwrap_or_default(),
            origin,
        })
        .await?;
    Ok(Json(LoginResponse {
        token: logged_in.session.access.token,
        user_id: logged_in.user.id.0,
        id: logged_in.user.id.0,
        username: logged_in.user.username,
        expires_in: logged_in.session.access.expires_in_secs,
        refresh_token: logged_in.session.refresh_token,
        restored: logged_in.restored,
    }))
}

/// Log out
///
/// Ends the session of the presented access token: it, every other access
/// token of its session (those refreshed from it) and the session's refresh
/// token stop working, on every instance; with `refresh_token`, that token's
/// family is revoked too. Other sessions of the user are untouched.
#[utoipa::path(
    post,
    path = "/authorizations/logout/", operation_id = "logOut",
    tag = "sessions",
    security(("jwt" = [])),
    request_body(content(
        (LogoutRequest = "application/json"),
        (LogoutRequest = "application/x-www-form-urlencoded"),
    ), description = "Optional; an empty body is fine"),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "No token (`not_authenticated`), a garbled one (`token_invalid`), an expired one (`token_expired`) or one already revoked (`token_revoked`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn log_out(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let claims = claims(depot)?.clone();
    let body: LogoutRequest = read_body(req, state.max_body_bytes).await?;
    state.sessions.log_out.execute(&claims, body.refresh_token.as_deref(), state.client_ip.resolve(req)).await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}

/// Sign out everywhere
///
/// Every access token issued to the user so far stops working at once (the
/// token version in the `ver` claim is bumped); log in again for a new one.
#[utoipa::path(
    post,
    path = "/user/sessions/revoke/", operation_id = "revokeAllSessions",
    tag = "sessions",
    security(("jwt" = [])),
    responses(
        (status = 204, description = "Every token of the user is revoked"),
        (status = 401, description = "No, garbled, expired or revoked token (`not_authenticated`, `token_invalid`, `token_expired`, `token_revoked`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn revoke_all_sessions(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user_id = claims(depot)?.user_id;
    state.sessions.revoke_all_sessions.execute(user_id, state.client_ip.resolve(req)).await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}

/// Refresh a session
///
/// Exchanges a refresh token for a new access token and the refresh token's
/// successor; the presented one is used up. Presenting it again within 10 s
/// (two tabs refreshing together) gives another pair; presenting it later
/// means a copy is being replayed: the whole family is revoked and the person
/// must log in again.
#[utoipa::path(
    post,
    path = "/authorizations/refresh/", operation_id = "refreshSession",
    tag = "sessions",
    request_body(content(
        (RefreshRequest = "application/json"),
        (RefreshRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "A new pair", body = RefreshResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "No `refresh_token` (`required`) or a malformed body (`malformed_body`)", body = ErrorBody),
        (status = 401, description = "Unknown, expired or revoked token (`token_invalid`), or a replayed one, which revokes its family (`token_revoked`)", body = ErrorBody,
            example = json!({"code": "token_revoked", "message": "令牌已失效，请重新登录", "detail": "令牌已失效，请重新登录", "non_field_errors": ["令牌已失效，请重新登录"]})),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn refresh(req: &mut Request, depot: &mut Depot) -> Result<Json<RefreshResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let body: RefreshRequest = read_body(req, state.max_body_bytes).await?;
    let session = state
        .sessions
        .refresh_session
        .execute(body.refresh_token.as_deref().unwrap_or_default(), &sign_in_origin(&state, req))
        .await?;
    Ok(Json(RefreshResponse {
        token: session.access.token,
        refresh_token: session.refresh_token,
        expires_in: session.access.expires_in_secs,
    }))
}
