//! What the QQ and WeChat website logins share: the authorize URL, the
//! callback and the bind form, each for the provider whose routes call it.

use application::use_cases::{BindOAuthIdentityRequest, CompleteOAuthLoginRequest, OAuthLoginOutcome};
use salvo::http::StatusCode;
use salvo::prelude::{Json, Request, Response};

use crate::http::api_error::ApiError;
use crate::http::body::read_body;
use crate::http::dto::{OAuthAuthorizationResponse, OAuthBindRequest, OAuthBindResponse, OAuthCallbackResponse};
use crate::http::state::{ApiState, OAuthLogin};

/// The provider's login, or 404 while it is not configured.
pub(super) fn configured(login: Option<&OAuthLogin>) -> Result<&OAuthLogin, ApiError> {
    login.ok_or(ApiError::RouteNotFound)
}

pub(super) fn authorization(login: &OAuthLogin, req: &Request) -> Result<Json<OAuthAuthorizationResponse>, ApiError> {
    let next = req.query::<String>("next");
    let url = login.start.execute(next.as_deref())?;
    Ok(Json(OAuthAuthorizationResponse { login_url: url.clone(), oauth_url: url }))
}

pub(super) async fn callback(
    login: &OAuthLogin,
    state: &ApiState,
    req: &Request,
) -> Result<Json<OAuthCallbackResponse>, ApiError> {
    let outcome = login
        .complete
        .execute(CompleteOAuthLoginRequest {
            code: req.query::<String>("code").unwrap_or_default(),
            state: req.query("state"),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    Ok(Json(match outcome {
        OAuthLoginOutcome::LoggedIn { user, session, next } => OAuthCallbackResponse::LoggedIn {
            token: session.access.token,
            user_id: user.id.0,
            username: user.username,
            refresh_token: session.refresh_token,
            next: next.to_string(),
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
            client_ip: state.client_ip.resolve(req),
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
    }));
    Ok(())
}
