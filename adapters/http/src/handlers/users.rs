use application::use_cases::{self, ProfilePatch, RegisterUserRequest};
use domain::UserId;
use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::auth::{authenticated_user, claims};
use crate::body::read_body;
use crate::dto::lenient::is_true;
use crate::dto::{
    ChangePasswordRequest, MessageResponse, ProfilePatchRequest, RegisterRequest, RegisterResponse, UserResponse,
};
use crate::error_body::ErrorBody;
use crate::sign_in_origin::sign_in_origin;
use crate::state::ApiState;

/// Register with a mobile and SMS code, or an email and email code
///
/// Creates the account and logs it in. `mobile + sms_code` is the classic form;
/// without a mobile, `email + email_code` (from `GET /email_codes/{email}/`) is used.
/// Taken usernames, mobiles and emails are a 400 on their field, also when two
/// requests race for the same value. Whether a name is taken is said before the
/// code is checked only within the client's availability checks
/// (`AVAILABILITY_IP_PER_MINUTE`, shared with the `count` endpoints); past them
/// the code is checked first, and a wrong code answers its error whatever the names.
#[utoipa::path(
    post,
    path = "/users/", operation_id = "registerUser",
    tag = "registration",
    request_body(content(
        (RegisterRequest = "application/json"),
        (RegisterRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 201, description = "Registered and logged in", body = RegisterResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "Invalid fields, mismatched passwords (`password_mismatch`), agreement not accepted (`agreement_required`), a wrong (`code_wrong`), expired (`code_expired`) or burned (`code_exhausted`) SMS or email code, a taken username, mobile or email (`already_taken`), or a malformed body (`malformed_body`)", body = ErrorBody,
            example = json!({"code": "already_taken", "message": "用户名已存在", "non_field_errors": ["用户名已存在"], "username": ["用户名已存在"]})),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "Neither JSON nor a urlencoded form (`unsupported_media_type`)", body = ErrorBody),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn register(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let body: RegisterRequest = read_body(req, state.max_body_bytes).await?;
    let origin = sign_in_origin(&state, req);
    let registered = state
        .sign_up
        .register_user
        .execute(
            RegisterUserRequest {
                username: body.username.unwrap_or_default(),
                password: body.password.unwrap_or_default(),
                password2: body.password2.unwrap_or_default(),
                mobile: body.mobile.unwrap_or_default(),
                sms_code: body.sms_code.unwrap_or_default(),
                email: body.email.unwrap_or_default(),
                email_code: body.email_code.unwrap_or_default(),
                allow: is_true(body.allow.as_deref()),
            },
            origin,
        )
        .await?;
    tracing::info!(user_id = registered.user.id.0, "user registered");
    res.status_code(StatusCode::CREATED);
    res.render(Json(RegisterResponse {
        id: registered.user.id.0,
        username: registered.user.username,
        mobile: registered.user.mobile.map(|m| m.to_string()),
        email: registered.user.email.map(|e| e.to_string()),
        token: registered.session.access.token,
        refresh_token: registered.session.refresh_token,
    }));
    Ok(())
}

/// The signed-in user
#[utoipa::path(
    get,
    path = "/user/", operation_id = "getCurrentUser",
    tag = "user",
    security(("jwt" = [])),
    responses(
        (status = 200, description = "The account behind the token", body = UserResponse),
        (status = 401, description = "No token (`not_authenticated`), a garbled one (`token_invalid`), an expired one (`token_expired`) or one whose account is gone (`token_revoked`)", body = ErrorBody,
            example = json!({"code": "not_authenticated", "message": "身份认证信息未提供。", "detail": "身份认证信息未提供。", "non_field_errors": ["身份认证信息未提供。"]})),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn current_user(depot: &mut Depot) -> Result<Json<UserResponse>, ApiError> {
    // The authentication hoop read the account with the token's standing: no second lookup.
    Ok(Json(UserResponse::from(authenticated_user(depot)?.clone())))
}

/// Change the signed-in user's profile
///
/// Send any of `nickname, avatar, gender, birthday, address, signature`; absent
/// fields are left as they are, `null` or `""` clears one. Every invalid field
/// is reported at once and then nothing is changed.
#[utoipa::path(
    patch,
    path = "/user/", operation_id = "updateProfile",
    tag = "user",
    security(("jwt" = [])),
    request_body(content(
        (ProfilePatchRequest = "application/json"),
        (ProfilePatchRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The updated user", body = UserResponse),
        (status = 400, description = "An invalid field (`invalid_profile`) or a malformed body (`malformed_body`)", body = ErrorBody,
            example = json!({"code": "invalid_profile", "message": "头像必须是 http(s) 链接", "non_field_errors": ["头像必须是 http(s) 链接"], "avatar": ["头像必须是 http(s) 链接"]})),
        (status = 401, description = "No, garbled, expired or revoked token", body = ErrorBody),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn update_profile(req: &mut Request, depot: &mut Depot) -> Result<Json<UserResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user_id = claims(depot)?.user_id;
    let body: ProfilePatchRequest = read_body(req, state.max_body_bytes).await?;
    let patch = ProfilePatch {
        nickname: body.nickname,
        avatar: body.avatar,
        gender: body.gender,
        birthday: body.birthday,
        address: body.address,
        signature: body.signature,
    };
    let user = state.accounts.update_profile.execute(user_id, patch).await?;
    Ok(Json(UserResponse::from(user)))
}

/// Change one's password
///
/// Only for one's own id. Every session of the user ends (all access and
/// refresh tokens, this one included): log in again with the new password.
/// Wrong current passwords count toward the login lock of the account.
#[utoipa::path(
    put,
    path = "/users/{id}/password/", operation_id = "changePassword",
    tag = "user",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The signed-in user's id")),
    request_body(content(
        (ChangePasswordRequest = "application/json"),
        (ChangePasswordRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Changed; every session has ended", body = MessageResponse),
        (status = 400, description = "Wrong current password (`wrong_password`), an empty one (`required`), a new one against the policy (`invalid_password`) or not repeated (`password_mismatch`)", body = ErrorBody,
            example = json!({"code": "wrong_password", "message": "原密码错误", "non_field_errors": ["原密码错误"], "old_password": ["原密码错误"]})),
        (status = 401, description = "No, garbled, expired or revoked token", body = ErrorBody),
        (status = 403, description = "Not one's own id (`forbidden`)", body = ErrorBody),
        (status = 404, description = "The id is not a number (`not_found`)", body = ErrorBody),
        (status = 429, description = "The account is locked after too many wrong passwords (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the lock ends"))),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn change_password(req: &mut Request, depot: &mut Depot) -> Result<Json<MessageResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let actor = claims(depot)?.user_id;
    let target = req.param::<i64>("id").map(UserId).ok_or(ApiError::RouteNotFound)?;
    let body: ChangePasswordRequest = read_body(req, state.max_body_bytes).await?;
    state
        .accounts
        .change_password
        .execute(use_cases::ChangePasswordRequest {
            actor,
            target,
            old_password: body.old_password.unwrap_or_default(),
            password: body.password.unwrap_or_default(),
            password2: body.password2.unwrap_or_default(),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    Ok(Json(MessageResponse::ok()))
}
