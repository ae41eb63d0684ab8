//! The signed-in user's third-party logins.

use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::dto::BindingResponse;
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// The signed-in user's bindings
///
/// One entry per provider bound to the account, oldest first.
#[utoipa::path(
    get,
    path = "/user/oauth/", operation_id = "listOAuthBindings",
    tag = "user",
    security(("jwt" = [])),
    responses(
        (status = 200, description = "The bound providers", body = Vec<BindingResponse>),
        (status = 401, description = "No, garbled, expired or revoked token", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn list(depot: &mut Depot) -> Result<Json<Vec<BindingResponse>>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user = claims(depot)?.user_id;
    let bindings = state.oauth.manage_bindings.list(user).await?;
    Ok(Json(
        bindings
            .into_iter()
            .map(|binding| BindingResponse {
                provider: binding.provider.as_str().to_owned(),
                bound_at: binding.bound_at,
            })
            .collect(),
    ))
}

/// Remove a binding
///
/// Unbinds every identity of the provider from the signed-in user, unless
/// that would leave the account without any way to log in (no password and
/// no other provider): then 409.
#[utoipa::path(
    delete,
    path = "/user/oauth/{provider}/", operation_id = "unbindOAuthProvider",
    tag = "user",
    security(("jwt" = [])),
    params(("provider" = String, Path, description = "`qq`, `wechat_mp` or `wechat_web`", example = "qq")),
    responses(
        (status = 204, description = "Unbound"),
        (status = 401, description = "No, garbled, expired or revoked token", body = ErrorBody),
        (status = 404, description = "Not bound, or no such provider (`not_found`)", body = ErrorBody),
        (status = 409, description = "The last way to log in (`last_login_method`)", body = ErrorBody,
            example = json!({"code": "last_login_method", "message": "这是账号唯一的登录方式，请先设置密码或绑定其他账号", "non_field_errors": ["这是账号唯一的登录方式，请先设置密码或绑定其他账号"]})),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn unbind(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user = claims(depot)?.user_id;
    let provider = req.param::<String>("provider").unwrap_or_default();
    state.oauth.manage_bindings.unbind(user, &provider).await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}
