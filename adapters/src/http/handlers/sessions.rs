use application::use_cases::LogInRequest;
use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::http::api_error::ApiError;
use crate::http::body::read_body;
use crate::http::dto::{LoginRequest, LoginResponse};
use crate::http::error_body::ErrorBody;
use crate::http::state::ApiState;

/// Log in with a password
///
/// `username` may be a username, a mobile or an email. A wrong account and a
/// wrong password give the same answer in the same time. After 5 failures for
/// one account within 15 min, or 30 from one client IP within 10 min, password
/// login is locked for that window (429 with `Retry-After`); a success resets
/// the account's count.
#[utoipa::path(
    post,
    path = "/authorizations/",
    tag = "sessions",
    request_body(content(
        (LoginRequest = "application/json"),
        (LoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 400, description = "Wrong account or password (`invalid_credentials`), an empty field (`required`) or a malformed body (`malformed_body`)", body = ErrorBody,
            example = json!({"code": "invalid_credentials", "message": "用户名或密码错误", "non_field_errors": ["用户名或密码错误"]})),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 429, description = "Too many failures for this account or from this address (`rate_limited`)", body = ErrorBody,
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
    let client_ip = state.client_ip.resolve(req);
    let logged_in = state
        .log_in
        .execute(LogInRequest {
            account: body.username.unwrap_or_default(),
            password: body.password.unwrap_or_default(),
            client_ip,
        })
        .await?;
    Ok(Json(LoginResponse {
        token: logged_in.token.token,
        user_id: logged_in.user.id.0,
        id: logged_in.user.id.0,
        username: logged_in.user.username,
        expires_in: logged_in.token.expires_in_secs,
    }))
}
