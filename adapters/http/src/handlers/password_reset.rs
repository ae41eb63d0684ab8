//! Find password, the four classic steps.

use application::use_cases::{ConfirmPasswordResetCodeRequest, ResetPasswordRequest, StartPasswordResetRequest};
use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::body::read_body;
use crate::dto::{
    MessageResponse, PasswordResetCaptchaQuery, PasswordResetCodeQuery, PasswordResetCodeResponse,
    PasswordResetStartResponse, ResetPasswordBody, ResetPasswordResponse, StepTokenQuery,
};
use crate::error_body::ErrorBody;
use crate::query::read_query;
use crate::state::ApiState;

/// Find password, step 1: the account
///
/// A solved captcha (spent by this call) and a username or mobile give the
/// account's masked mobile and a token for step 2 (300 s, once).
#[utoipa::path(
    get,
    path = "/accounts/{account}/sms/token/", operation_id = "startPasswordReset",
    tag = "find password",
    params(("account" = String, Path, description = "Username or mobile", example = "alice"), PasswordResetCaptchaQuery),
    responses(
        (status = 200, description = "The masked mobile and the step-2 token", body = PasswordResetStartResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed (`invalid_captcha`) or wrong/expired captcha (`captcha_wrong`), or an account without a mobile (`no_mobile`)", body = ErrorBody,
            example = json!({"code": "captcha_wrong", "message": "图片验证码错误或已过期", "non_field_errors": ["图片验证码错误或已过期"], "text": ["图片验证码错误或已过期"]})),
        (status = 404, description = "No such account (`not_found`)", body = ErrorBody),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn start(req: &mut Request, depot: &mut Depot) -> Result<Json<PasswordResetStartResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query: PasswordResetCaptchaQuery = read_query(req)?;
    let started = state
        .password_reset
        .start_password_reset
        .execute(StartPasswordResetRequest {
            account: req.param::<String>("account").unwrap_or_default(),
            captcha_id: query.image_code_id.unwrap_or_default(),
            captcha_text: query.text.unwrap_or_default(),
        })
        .await?;
    Ok(Json(PasswordResetStartResponse { mobile: started.masked_mobile, access_token: started.access_token }))
}

/// Find password, step 2: send the code
///
/// Sends a find-password code to the mobile named in the step-1 token, under
/// the usual limits (60 s resend, daily and per-IP caps). The token is spent
/// once the code is queued; a refusal (429, 503) leaves it usable until it expires.
#[utoipa::path(
    get,
    path = "/sms_codes/", operation_id = "sendPasswordResetSms",
    tag = "find password",
    params(StepTokenQuery),
    responses(
        (status = 200, description = "The code was queued", body = MessageResponse),
        (status = 400, description = "A missing, forged, expired, spent or outdated token, or one of another step (`invalid_access_token`)", body = ErrorBody,
            example = json!({"code": "invalid_access_token", "message": "无效的access_token，请重新开始", "non_field_errors": ["无效的access_token，请重新开始"], "access_token": ["无效的access_token，请重新开始"]})),
        (status = 429, description = "A send limit is reached (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))),
        (status = 503, description = "Database, cache or message queue unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn send_sms(req: &mut Request, depot: &mut Depot) -> Result<Json<MessageResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query: StepTokenQuery = read_query(req)?;
    let token = query.access_token.unwrap_or_default();
    state.password_reset.send_password_reset_sms.execute(&token, state.client_ip.resolve(req)).await?;
    Ok(Json(MessageResponse::ok()))
}

/// Find password, step 3: check the code
///
/// The code sent in step 2 (or, for an email account, an email code with
/// `send_type=resetpwd`) gives the user id and a token for step 4 (300 s, once).
/// An unknown account answers like a code that was never sent. Send `sms_code`
/// when `account` is a username or mobile and `email_code` when it is an email
/// address; the other one alone is refused (`invalid_code` or `required`).
#[utoipa::path(
    get,
    path = "/accounts/{account}/password/token/", operation_id = "confirmPasswordResetCode",
    tag = "find password",
    params(("account" = String, Path, description = "Username, mobile or email", example = "13800138000"), PasswordResetCodeQuery),
    responses(
        (status = 200, description = "The user id and the step-4 token", body = PasswordResetCodeResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A malformed (`invalid_code`), wrong (`code_wrong`), expired or unsent (`code_expired`) or burned (`code_exhausted`) code", body = ErrorBody,
            example = json!({"code": "code_wrong", "message": "验证码错误，还可尝试4次", "non_field_errors": ["验证码错误，还可尝试4次"], "sms_code": ["验证码错误，还可尝试4次"]})),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn confirm_code(req: &mut Request, depot: &mut Depot) -> Result<Json<PasswordResetCodeResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query: PasswordResetCodeQuery = read_query(req)?;
    let confirmed = state
        .password_reset
        .confirm_password_reset_code
        .execute(ConfirmPasswordResetCodeRequest {
            account: req.param::<String>("account").unwrap_or_default(),
            sms_code: query.sms_code.unwrap_or_default(),
            email_code: query.email_code.unwrap_or_default(),
        })
        .await?;
    Ok(Json(PasswordResetCodeResponse { user_id: confirmed.user_id.0, access_token: confirmed.access_token }))
}

/// Find password, step 4: the new password
///
/// The step-3 token sets a new password (the token is spent once the password
/// is set; a refusal or an outage leaves it usable until it expires). Every session
/// and every earlier token of the user stops working; the login lock of the
/// account is lifted; the reset is audited.
#[utoipa::path(
    post,
    path = "/users/{id}/password/", operation_id = "resetPassword",
    tag = "find password",
    params(("id" = i64, Path, description = "The `user_id` of step 3")),
    request_body(content(
        (ResetPasswordBody = "application/json"),
        (ResetPasswordBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The password is reset", body = ResetPasswordResponse),
        (status = 400, description = "A new password against the policy (`invalid_password`) or not repeated (`password_mismatch`), or a bad token (`invalid_access_token`)", body = ErrorBody,
            example = json!({"code": "password_mismatch", "message": "两次密码不一致", "non_field_errors": ["两次密码不一致"], "password2": ["两次密码不一致"]})),
        (status = 404, description = "The id is not a number (`not_found`)", body = ErrorBody),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn reset(req: &mut Request, depot: &mut Depot) -> Result<Json<ResetPasswordResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user_id = req.param::<i64>("id").ok_or(ApiError::RouteNotFound)?;
    let body: ResetPasswordBody = read_body(req, state.max_body_bytes).await?;
    let id = state
        .password_reset
        .reset_password
        .execute(ResetPasswordRequest {
            user_id,
            password: body.password.unwrap_or_default(),
            password2: body.password2.unwrap_or_default(),
            access_token: body.access_token.unwrap_or_default(),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    tracing::info!(user_id = id.0, "password reset");
    Ok(Json(ResetPasswordResponse { id: id.0 }))
}
