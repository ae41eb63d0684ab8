//! What the QQ and WeChat website logins share: the start, the hop that binds
//! the login to the browser, the callback and the bind form, each for the
//! provider whose routes call it.

use application::use_cases::{BindOAuthIdentityRequest, CompleteOAuthLoginRequest, OAuthLoginOutcome};
use salvo::http::StatusCode;
use salvo::http::header::{HeaderValue, LOCATION};
use salvo::prelude::{Json, Request, Response};

use crate::api_error::ApiError;
use crate::body::read_body;
use crate::dto::{
    OAuthAuthorizationQuery, OAuthAuthorizationResponse, OAuthBindRequest, OAuthBindResponse, OAuthCallbackQuery,
    OAuthCallbackResponse, OAuthStartQuery,
};
use crate::public_origin::public_origin;
use crate::query::read_query;
use crate::sign_in_origin::sign_in_origin;
use crate::state::{ApiState, OAuthLogin};

/// The provider's login, or 404 while it is not configured.
pub(super) fn configured(login: Option<&OAuthLogin>) -> Result<&OAuthLogin, ApiError> {
    login.ok_or(ApiError::RouteNotFound)
}

/// The hop on this service, with a fresh start ticket: absolute, because the classic
/// login page sends the browser to it from the shop's own origin.
pub(super) fn authorization(
    login: &OAuthLogin,
    state: &ApiState,
    req: &Request,
) -> Result<Json<OAuthAuthorizationResponse>, ApiError> {
    let query: OAuthAuthorizationQuery = read_query(req)?;
    let ticket = login.start.execute(query.next.as_deref())?;
    let origin = public_origin(req, &state.client_ip);
    let url = format!("{origin}/oauth/{}/start/?flow={ticket}", login.cookie.route());
    Ok(Json(OAuthAuthorizationResponse { login_url: url.clone(), oauth_url: url }))
}

/// The hop: spends the ticket, keeps the flow in this browser's cookie and sends the
/// browser on to the provider (302).
pub(super) async fn depart(login: &OAuthLogin, req: &Request, res: &mut Response) -> Result<(), ApiError> {
    let query: OAuthStartQuery = read_query(req)?;
    let departure = login.depart.execute(&query.flow.unwrap_or_default()).await?;
    // A header value, not a `Uri`: WeChat's page needs its `#wechat_redirect` fragment.
    let location = HeaderValue::from_str(&departure.authorize_url)
        .map_err(|_| ApiError::App(application::AppError::Internal("an authorize URL that is no header".into())))?;
    login.cookie.set(req, res, &departure.flow, departure.flow_ttl);
    res.headers_mut().insert(LOCATION, location);
    res.status_code(StatusCode::FOUND);
    Ok(())
}

/// The callback: only with this browser's flow cookie, which it clears once the flow is spent.
/// A refusal leaves it: a flow refused before it was spent (a `state` naming another page)
/// may still be finished, and a spent one is refused again anyway.
pub(super) async fn callback(
    login: &OAuthLogin,
    state: &ApiState,
    req: &Request,
    res: &mut Response,
) -> Result<Json<OAuthCallbackResponse>, ApiError> {
    let query: OAuthCallbackQuery = read_query(req)?;
    let outcome = login
        .complete
        .execute(CompleteOAuthLoginRequest {
            code: query.code.unwrap_or_default(),
            flow: login.cookie.read(req),
            state: query.state,
            origin: sign_in_origin(state, req),
        })
        .await?;
    login.cookie.clear(req, res);
    Ok(Json(match outcome {
        OAuthLoginOutcome::LoggedIn { user, session, next, restored } => OAuthCallbackResponse::LoggedIn {
            token: session.access.token,
            user_id: user.id.0,
            username: user.username,
            refresh_token: session.refresh_token,
            next: next.to_string(),
            restored,
        },
        OAuthLoginOutcome::BindRequired { access_token, next } => {
            OAuthCallbackResponse::BindRequired { access_token, next: next.to_string() }
        }
    }))
}

/// `provider` names the provider in the log.
pub(super) async fn bind(
    provider: &'static str,
    login: &OAuthLogin,
    state: &ApiState,
    req: &mut Request,
    res: &mut Response,
) -> Result<(), ApiError> {
    let body: OAuthBindRequest = read_body(req, state.max_body_bytes).await?;
    let bound = login
        .bind
        .execute(BindOAuthIdentityRequest {
            mobile: body.mobile.unwrap_or_default(),
            password: body.password.unwrap_or_default(),
            sms_code: body.sms_code.unwrap_or_default(),
            access_token: body.access_token.unwrap_or_default(),
            origin: sign_in_origin(state, req),
        })
        .await?;
    tracing::info!(user_id = bound.user.id.0, provider, "identity bound");
    res.status_code(StatusCode::CREATED);
    res.render(Json(OAuthBindResponse {
        token: bound.session.access.token,
        id: bound.user.id.0,
        user_id: bound.user.id.0,
        username: bound.user.username,
        refresh_token: bound.session.refresh_token,
        restored: bound.restored,
    }));
    Ok(())
}
