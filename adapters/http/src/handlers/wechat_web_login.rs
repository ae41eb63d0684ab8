//! WeChat website login: the QR page, its callback, and the first-time
//! binding; the same flow, state and bind rules as QQ login.

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

/// Start a WeChat QR login
///
/// Answers the hop on this service (`GET /oauth/wechat/start/?flow=`) with a
/// fresh start ticket: signed, single-use, valid 10 minutes, carrying `next` (a
/// local path; anything else becomes `/`). Send the browser there; the hop binds
/// the login to that browser and goes on to WeChat's QR page (`qrconnect`).
/// Its scheme and host are `http` and the request's `Host`, or `X-Forwarded-Proto` and
/// `X-Forwarded-Host` when the peer is a trusted proxy (`TRUSTED_PROXIES`).
#[utoipa::path(
    get,
    path = "/oauth/wechat/authorization/", operation_id = "wechatWebLoginAuthorization",
    tag = "wechat login",
    params(OAuthAuthorizationQuery),
    responses(
        (status = 200, description = "Where to send the browser", body = OAuthAuthorizationResponse,
            headers(("Cache-Control" = String, description = "`no-store`")),
            example = json!({
                "login_url": "https://open.weixin.qq.com/connect/qrconnect?appid=wxf1e2d3c4b5a69788&redirect_uri=https%3A%2F%2Fwww.meiduo.site%2Fwechat_callback.html&response_type=code&scope=snsapi_login&state=eyJhbGciOiJIUzI1NiJ9.e30.sig#wechat_redirect",
                "oauth_url": "https://open.weixin.qq.com/connect/qrconnect?appid=wxf1e2d3c4b5a69788&redirect_uri=https%3A%2F%2Fwww.meiduo.site%2Fwechat_callback.html&response_type=code&scope=snsapi_login&state=eyJhbGciOiJIUzI1NiJ9.e30.sig#wechat_redirect"
            })),
        (status = 404, description = "WeChat website login is not configured (`not_found`)", body = ErrorBody),
    )
)]
#[handler]
pub async fn authorization(req: &mut Request, depot: &mut Depot) -> Result<Json<OAuthAuthorizationResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::authorization(configured(state.oauth.wechat_web_login.as_ref())?, &state, req)
}

/// Leave for WeChat (the hop)
///
/// Where `login_url` sends the browser. Spends the start ticket `flow`, sets the
/// flow cookie `oauth_flow_wechat` (HttpOnly, SameSite=Lax, `Path=/oauth/wechat/`,
/// `Max-Age=600`, Secure over https) and redirects (302) to WeChat's QR page (`/connect/qrconnect`, `#wechat_redirect`) with
/// `state` = `next` (without its fragment). Only a callback carrying that cookie
/// is accepted, once, within 10 minutes.
#[utoipa::path(
    get,
    path = "/oauth/wechat/start/", operation_id = "wechatWebLoginStart",
    tag = "wechat login",
    params(OAuthStartQuery),
    responses(
        (status = 302, description = "To the provider's page, with the flow cookie",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Location" = String, description = "WeChat's QR page, `state` = `next`"),
                ("Set-Cookie" = String, description = "`oauth_flow_wechat=<flow>; Max-Age=600; Path=/oauth/wechat/; HttpOnly; SameSite=Lax` (`; Secure` over https)"),
            )),
        (status = 400, description = "A start ticket that is missing, forged, expired, already used or the other provider's (`invalid_state`): start again", body = ErrorBody),
        (status = 404, description = "WeChat login is not configured (`not_found`)", body = ErrorBody),
        (status = 503, description = "Cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn start(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::depart(configured(state.oauth.wechat_web_login.as_ref())?, req, res).await
}

/// WeChat's callback
///
/// Must come from the browser that went through the hop, with its flow cookie
/// `oauth_flow_wechat` (send it with credentials); without it, or with one that
/// is forged, expired, already used or QQ's, or with a `state` that does not
/// name the flow's `next` → 400 `invalid_state`, and WeChat is not asked. Then
/// asks WeChat who `code` belongs to, and logs a bound identity in. A first website login
/// whose unionid the mini-program already knows joins that account and logs
/// in; any other gets a bind token for `POST /oauth/wechat/user/`. Both
/// answers carry `next`.
#[utoipa::path(
    get,
    path = "/oauth/wechat/user/", operation_id = "wechatWebLoginCallback",
    tag = "wechat login",
    params(OAuthCallbackQuery),
    responses(
        (status = 200, description = "Logged in, or a bind token", body = OAuthCallbackResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "No code or one WeChat refused as invalid or used (`invalid_oauth_code`); no flow cookie of this browser, a spent or expired flow, or a `state` naming another page (`invalid_state`)", body = ErrorBody,
            example = json!({"code": "invalid_oauth_code", "message": "授权码无效或已使用，请重新登录", "non_field_errors": ["授权码无效或已使用，请重新登录"]})),
        (status = 403, description = "WeChat blocked a high-risk user (`forbidden`, errcode 40226)", body = ErrorBody),
        (status = 404, description = "WeChat website login is not configured (`not_found`)", body = ErrorBody),
        (status = 429, description = "WeChat's per-user rate limit (`rate_limited`, errcode 45011)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 502, description = "WeChat failed (`upstream_failed`, its errcode in `provider_code`)", body = ErrorBody,
            example = json!({"code": "upstream_failed", "message": "微信服务暂时不可用，请稍后再试", "non_field_errors": ["微信服务暂时不可用，请稍后再试"], "provider_code": 40013})),
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
    oauth_login::callback(configured(state.oauth.wechat_web_login.as_ref())?, &state, req, res).await
}

/// Bind a first-time WeChat website identity
///
/// The same form and rules as QQ: proves the mobile with its SMS code (from
/// `GET /sms_codes/{mobile}/`); a registered mobile's password must match
/// (wrong passwords count toward the account's login lock); an unregistered
/// one gets a new account named after the mobile, created together with the
/// binding. Only a bind token of the WeChat callback is accepted.
#[utoipa::path(
    post,
    path = "/oauth/wechat/user/", operation_id = "wechatWebLoginBind",
    tag = "wechat login",
    request_body(content(
        (OAuthBindRequest = "application/json"),
        (OAuthBindRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Bound and logged in", body = OAuthBindResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Invalid fields, a wrong/expired/burned SMS code, a wrong password (`wrong_password`), or a bad bind token, QQ's included (`invalid_access_token`)", body = ErrorBody,
            example = json!({"code": "invalid_access_token", "message": "无效的access_token，请重新开始", "non_field_errors": ["无效的access_token，请重新开始"], "access_token": ["无效的access_token，请重新开始"]})),
        (status = 404, description = "WeChat website login is not configured (`not_found`)", body = ErrorBody),
        (status = 409, description = "This WeChat identity is already bound (`already_bound`)", body = ErrorBody,
            example = json!({"code": "already_bound", "message": "该账号已绑定", "non_field_errors": ["该账号已绑定"], "access_token": ["该账号已绑定"]})),
        (status = 429, description = "The account is locked after too many wrong passwords (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the lock ends"))),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn bind(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    oauth_login::bind("wechat_web", configured(state.oauth.wechat_web_login.as_ref())?, &state, req, res).await
}
