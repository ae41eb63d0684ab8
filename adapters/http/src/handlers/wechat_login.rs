//! WeChat login: the mini-program's `wx.login()` code, and its phone button.

use application::ports::SignInOrigin;
use application::use_cases::MiniProgramLogInRequest;
use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::body::read_body;
use crate::dto::{MiniProgramLoginRequest, MiniProgramLoginResponse, MiniProgramPhoneRequest, UserResponse};
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// The device of every mini-program sign-in.
const MINI_PROGRAM_DEVICE: &str = "WeChat mini-program";

/// Log in from a WeChat mini-program
///
/// Exchanges the code of `wx.login()` with WeChat. A known person is logged in;
/// a person known from the website login (same unionid) joins that account; a
/// new one gets an account without a password (`created: true`). WeChat's
/// `session_key` stays on the server.
#[utoipa::path(
    post,
    path = "/oauth/wechat/miniprogram/", operation_id = "wechatMiniProgramLogin",
    tag = "wechat login",
    request_body(content(
        (MiniProgramLoginRequest = "application/json"),
        (MiniProgramLoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Logged in", body = MiniProgramLoginResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "No code, or one WeChat refused as invalid or used (`invalid_oauth_code`, errcode 40029/40163); an invalid nickname or avatar (`invalid_profile`)", body = ErrorBody,
            example = json!({"code": "invalid_oauth_code", "message": "授权码无效或已使用，请重新登录", "non_field_errors": ["授权码无效或已使用，请重新登录"]})),
        (status = 403, description = "WeChat blocked a high-risk user (`forbidden`, errcode 40226)", body = ErrorBody),
        (status = 404, description = "Mini-program login is not configured (`not_found`)", body = ErrorBody),
        (status = 429, description = "WeChat's per-user rate limit (`rate_limited`, errcode 45011)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 502, description = "WeChat failed (`upstream_failed`, its errcode in `provider_code`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn mini_program(req: &mut Request, depot: &mut Depot) -> Result<Json<MiniProgramLoginResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let body: MiniProgramLoginRequest = read_body(req, state.max_body_bytes).await?;
    let login = state.oauth.mini_program_login.as_ref().ok_or(ApiError::RouteNotFound)?;
    let logged_in = login
        .execute(MiniProgramLogInRequest {
            code: body.code.unwrap_or_default(),
            nickname: body.nickname,
            avatar: body.avatar,
            // Only a mini-program can log in here, whatever its runtime calls itself.
            origin: SignInOrigin::new(state.client_ip.resolve(req), MINI_PROGRAM_DEVICE),
        })
        .await?;
    Ok(Json(MiniProgramLoginResponse {
        token: logged_in.session.access.token,
        user_id: logged_in.user.id.0,
        username: logged_in.user.username,
        nickname: logged_in.user.profile.nickname,
        refresh_token: logged_in.session.refresh_token,
        created: logged_in.created,
        restored: logged_in.restored,
    }))
}

/// Bind the phone number of the mini-program's phone button
///
/// Sets the signed-in user's mobile from the button's single-use code
/// (WeChat's `getuserphonenumber`). A mobile another account has is a 409.
#[utoipa::path(
    post,
    path = "/oauth/wechat/miniprogram/phone/", operation_id = "wechatMiniProgramBindPhone",
    tag = "wechat login",
    security(("jwt" = [])),
    request_body(content(
        (MiniProgramPhoneRequest = "application/json"),
        (MiniProgramPhoneRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The user with the mobile set", body = UserResponse),
        (status = 400, description = "No code, or one WeChat refused (`invalid_oauth_code`); a number that is not a mainland mobile (`invalid_mobile`)", body = ErrorBody),
        (status = 401, description = "No, garbled, expired or revoked token", body = ErrorBody),
        (status = 404, description = "Mini-program login is not configured (`not_found`)", body = ErrorBody),
        (status = 409, description = "Another account has this mobile (`already_taken`)", body = ErrorBody,
            example = json!({"code": "already_taken", "message": "手机号已被注册", "non_field_errors": ["手机号已被注册"], "mobile": ["手机号已被注册"]})),
        (status = 429, description = "WeChat's rate limit (`rate_limited`)", body = ErrorBody),
        (status = 502, description = "WeChat failed (`upstream_failed`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn phone(req: &mut Request, depot: &mut Depot) -> Result<Json<UserResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user = claims(depot)?.user_id;
    let body: MiniProgramPhoneRequest = read_body(req, state.max_body_bytes).await?;
    let bind = state.oauth.mini_program_phone.as_ref().ok_or(ApiError::RouteNotFound)?;
    let updated = bind.execute(user, &body.code.unwrap_or_default()).await?;
    Ok(Json(UserResponse::from(updated)))
}
