//! QQ login: the authorize URL, the callback, and the first-time binding.

use application::use_cases::{BindQqIdentityRequest, CompleteQqLoginRequest, QqLoginOutcome};
use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::http::api_error::ApiError;
use crate::http::body::read_body;
use crate::http::dto::{
    QqAuthorizationQuery, QqAuthorizationResponse, QqBindRequest, QqBindResponse, QqCallbackQuery, QqCallbackResponse,
};
use crate::http::error_body::ErrorBody;
use crate::http::state::{ApiState, QqLogin};

fn qq(state: &ApiState) -> Result<&QqLogin, ApiError> {
    state.qq_login.as_ref().ok_or(ApiError::RouteNotFound)
}

/// Start a QQ login
///
/// Answers QQ's authorize URL with a fresh `state`: random, signed, single-use,
/// valid 10 minutes, carrying `next` (a local path; anything else becomes `/`).
#[utoipa::path(
    get,
    path = "/oauth/qq/authorization/",
    tag = "qq login",
    params(QqAuthorizationQuery),
    responses(
        (status = 200, description = "Where to send the browser", body = QqAuthorizationResponse),
        (status = 404, description = "QQ login is not configured (`not_found`)", body = ErrorBody),
    )
)]
#[handler]
pub async fn authorization(req: &mut Request, depot: &mut Depot) -> Result<Json<QqAuthorizationResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query = QqAuthorizationQuery { next: req.query("next") };
    let url = qq(&state)?.start.execute(query.next.as_deref())?;
    Ok(Json(QqAuthorizationResponse { login_url: url.clone(), oauth_url: url }))
}

/// QQ's callback
///
/// Checks `state` (unknown, forged, expired or reused → 400; missing → 400
/// unless `OAUTH_ALLOW_MISSING_STATE=true`), asks QQ who `code` belongs to, and
/// logs a bound identity in; an unbound one gets a bind token for
/// `POST /oauth/qq/user/`. Both answers carry `next`.
#[utoipa::path(
    get,
    path = "/oauth/qq/user/",
    tag = "qq login",
    params(QqCallbackQuery),
    responses(
        (status = 200, description = "Logged in, or a bind token", body = QqCallbackResponse),
        (status = 400, description = "No code (`required`), a bad state (`invalid_state`), or a code QQ refused as expired or used (`invalid_oauth_code`)", body = ErrorBody,
            example = json!({"code": "invalid_state", "message": "登录请求无效或已过期，请重新登录", "non_field_errors": ["登录请求无效或已过期，请重新登录"], "state": ["登录请求无效或已过期，请重新登录"]})),
        (status = 404, description = "QQ login is not configured (`not_found`)", body = ErrorBody),
        (status = 502, description = "QQ failed or refused (`upstream_failed`, QQ's code in `provider_code`)", body = ErrorBody,
            example = json!({"code": "upstream_failed", "message": "QQ服务暂时不可用，请稍后再试", "non_field_errors": ["QQ服务暂时不可用，请稍后再试"], "provider_code": 100010})),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn callback(req: &mut Request, depot: &mut Depot) -> Result<Json<QqCallbackResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query = QqCallbackQuery { code: req.query("code"), state: req.query("state") };
    let outcome = qq(&state)?
        .complete
        .execute(CompleteQqLoginRequest {
            code: query.code.unwrap_or_default(),
            state: query.state,
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    Ok(Json(match outcome {
        QqLoginOutcome::LoggedIn { user, session, next } => QqCallbackResponse::LoggedIn {
            token: session.access.token,
            user_id: user.id.0,
            username: user.username,
            refresh_token: session.refresh_token,
            next: next.to_string(),
        },
        QqLoginOutcome::BindRequired { access_token, next } => {
            QqCallbackResponse::BindRequired { access_token, next: next.to_string() }
        }
    }))
}

/// Bind a first-time QQ identity
///
/// Proves the mobile with its SMS code (from `GET /sms_codes/{mobile}/`). A
/// registered mobile's password must match (wrong passwords count toward the
/// account's login lock); an unregistered one gets a new account named after
/// the mobile, created together with the binding. Logs the account in.
#[utoipa::path(
    post,
    path = "/oauth/qq/user/",
    tag = "qq login",
    request_body(content(
        (QqBindRequest = "application/json"),
        (QqBindRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Bound and logged in", body = QqBindResponse),
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
    let body: QqBindRequest = read_body(req, state.max_body_bytes).await?;
    let bound = qq(&state)?
        .bind
        .execute(BindQqIdentityRequest {
            mobile: body.mobile.unwrap_or_default(),
            password: body.password.unwrap_or_default(),
            sms_code: body.sms_code.unwrap_or_default(),
            access_token: body.access_token.unwrap_or_default(),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    tracing::info!(user_id = bound.user.id.0, "QQ identity bound");
    res.status_code(StatusCode::CREATED);
    res.render(Json(QqBindResponse {
        token: bound.session.access.token,
        id: bound.user.id.0,
        user_id: bound.user.id.0,
        username: bound.user.username,
        refresh_token: bound.session.refresh_token,
    }));
    Ok(())
}
