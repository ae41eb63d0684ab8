//! QQ login: the authorize URL, the callback, and the first-time binding.

use salvo::handler;
use salvo::prelude::{Depot, Json, Request, Response};

use super::oauth_login::{self, configured};
use crate::api_error::ApiError;
use crate::dto::{
    OAuthAuthorizationQuery, OAuthAuthorizationResponse, OAuthBindRequest, OAuthBindResponse, OAuthCallbackQuery,
    OAuthCallbackResponse, OAuthStartQuery,
};
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Start a QQ login
///
/// Answers the hop on this service (`GET /oauth/qq/start/?flow=`) with a fresh
/// start ticket: signed, single-use, valid 10 minutes, carrying `next` (a local
/// path; anything else becomes `/`). Send the browser there; the hop binds the
/// login to that browser and goes on to QQ.
/// Its scheme and host are `http` and the request's `Host`, or `X-Forwarded-Proto` and
/// `X-Forwarded-Host` when the peer is a trusted proxy (`TRUSTED_PROXIES`).
#[utoipa::path(
    get,
    path = "/oauth/qq/authorization/", operation_id = "qqLoginAuthorization",
    tag = "qq login",
    params(OAuthAuthorizationQuery),
    responses(
        (status = 200, description = "Where to send the browser", body = OAuthAuthorizationResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 404, description = "QQ login is not configured (`not_found`)", body = ErrorBody),
    )
)]
#[handler]
pub async fn authorization(req: &mut Request, depot: &mut Depot) -> Result<Json<OAuthAuthorizationResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::authorization(configured(state.oauth.qq_login.as_ref())?, &state, req)
}

/// Leave for QQ (the hop)
///
/// Where `login_url` sends the browser. Spends the start ticket `flow`, sets the
/// flow cookie `oauth_flow_qq` (HttpOnly, SameSite=Lax, `Path=/oauth/qq/`,
/// `Max-Age=600`, Secure over https) and redirects (302) to QQ's authorize page (`/oauth2.0/authorize`) with
/// `state` = `next` (without its fragment). Only a callback carrying that cookie
/// is accepted, once, within 10 minutes.
#[utoipa::path(
    get,
    path = "/oauth/qq/start/", operation_id = "qqLoginStart",
    tag = "qq login",
    params(OAuthStartQuery),
    responses(
        (status = 302, description = "To the provider's page, with the flow cookie",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Location" = String, description = "QQ's authorize page, `state` = `next`"),
                ("Set-Cookie" = String, description = "`oauth_flow_qq=<flow>; Max-Age=600; Path=/oauth/qq/; HttpOnly; SameSite=Lax` (`; Secure` over https)"),
            )),
        (status = 400, description = "A start ticket that is missing, forged, expired, already used or the other provider's (`invalid_state`): start again", body = ErrorBody),
        (status = 404, description = "QQ login is not configured (`not_found`)", body = ErrorBody),
        (status = 503, description = "Cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn start(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::depart(configured(state.oauth.qq_login.as_ref())?, req, res).await
}

/// QQ's callback
///
/// Must come from the browser that went through the hop, with its flow cookie
/// `oauth_flow_qq` (send it with credentials); without it, or with one that is
/// forged, expired, already used or QQ's, or with a `state` that does not name
/// the flow's `next` → 400 `invalid_state`, and QQ is not asked. Then asks QQ who
/// `code` belongs to and logs a bound identity in; an unbound one gets a bind
/// token for `POST /oauth/qq/user/`. Both answers carry `next`; the cookie is cleared.
#[utoipa::path(
    get,
    path = "/oauth/qq/user/", operation_id = "qqLoginCallback",
    tag = "qq login",
    params(OAuthCallbackQuery),
    responses(
        (status = 200, description = "Logged in, or a bind token", body = OAuthCallbackResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "No code or one QQ refused as expired or used (`invalid_oauth_code`); no flow cookie of this browser, a spent or expired flow, or a `state` naming another page (`invalid_state`)", body = ErrorBody,
            example = json!({"code": "invalid_state", "message": "登录请求无效或已过期，请重新登录", "non_field_errors": ["登录请求无效或已过期，请重新登录"], "state": ["登录请求无效或已过期，请重新登录"]})),
        (status = 404, description = "QQ login is not configured (`not_found`)", body = ErrorBody),
        (status = 502, description = "QQ failed or refused (`upstream_failed`, QQ's code in `provider_code`)", body = ErrorBody,
            example = json!({"code": "upstream_failed", "message": "QQ服务暂时不可用，请稍后再试", "non_field_errors": ["QQ服务暂时不可用，请稍后再试"], "provider_code": 100010})),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn callback(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<Json<OAuthCallbackResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::callback(configured(state.oauth.qq_login.as_ref())?, &state, req, res).await
}

/// Bind a first-time QQ identity
///
/// Proves the mobile with its SMS code (from `GET /sms_codes/{mobile}/`). A
/// registered mobile's password must match (wrong passwords count toward the
/// account's login lock); an unregistered one gets a new account named after
/// the mobile, created together with the binding. Logs the account in.
#[utoipa::path(
    post,
    path = "/oauth/qq/user/", operation_id = "qqLoginBind",
    tag = "qq login",
    request_body(content(
        (OAuthBindRequest = "application/json"),
        (OAuthBindRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Bound and logged in", body = OAuthBindResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Invalid fields, a wrong/expired/burned SMS code, a wrong password (`wrong_password`), or a bad bind token (`invalid_access_token`)", body = ErrorBody,
            example = json!({"code": "wrong_password", "message": "密码错误", "non_field_errors": ["密码错误"], "password": ["密码错误"]})),
        (status = 404, description = "QQ login is not configured (`not_found`)", body = ErrorBody),
        (status = 409, description = "This QQ identity is already bound (`already_bound`)", body = ErrorBody,
            example = json!({"code": "already_bound", "message": "该账号已绑定", "non_field_errors": ["该账号已绑定"], "access_token": ["该账号已绑定"]})),
        (status = 429, description = "The account is locked after too many wrong passwords (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the lock ends"))),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn bind(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::bind("qq", configured(state.oauth.qq_login.as_ref())?, &state, req, res).await
}
