use application::use_cases::{SendEmailCodeRequest, SendSmsCodeRequest};
use salvo::handler;
use salvo::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::dto::{EmailCodeQuery, MessageResponse, SmsCodeQuery};
use crate::error_body::ErrorBody;
use crate::query::read_query;
use crate::state::ApiState;

/// Draw a captcha
///
/// Returns a PNG with 4 characters and keeps the answer for 300 s under the
/// client-generated UUID. The answer is deleted on its first check, right or wrong.
/// Each client IP (IPv6: each /64) may draw 30 captchas a minute
/// (`CAPTCHA_IP_PER_MINUTE`); pictures are drawn a few at a time
/// (`CAPTCHA_RENDER_CONCURRENCY`), and a request that finds no free slot
/// within a second is turned away with a 429 and `Retry-After: 1`.
#[utoipa::path(
    get,
    path = "/image_codes/{uuid}/", operation_id = "drawCaptcha",
    tag = "verification",
    params(("uuid" = String, Path, description = "Client-generated UUID", example = "6f9619ff-8b86-d011-b42d-00c04fc964ff")),
    responses(
        (status = 200, description = "The captcha picture", content_type = "image/png", body = Vec<u8>),
        (status = 400, description = "The id is not a UUID (`invalid_captcha`)", body = ErrorBody,
            example = json!({"code": "invalid_captcha", "message": "图片验证码编号无效", "non_field_errors": ["图片验证码编号无效"], "image_code_id": ["图片验证码编号无效"]})),
        (status = 429, description = "Over the per-IP captcha limit, or every drawing slot stayed busy for a second (then `Retry-After: 1`) (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed")),
            example = json!({"code": "rate_limited", "message": "操作过于频繁，请42秒后再试", "non_field_errors": ["操作过于频繁，请42秒后再试"], "retry_after": 42})),
        (status = 503, description = "The cache is unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn image_code(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let uuid = req.param::<String>("uuid").unwrap_or_default();
    let png = state.codes.issue_captcha.execute(&uuid, state.client_ip.resolve(req)).await?;
    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.write_body(png).map_err(|e| ApiError::App(application::AppError::Internal(e.to_string())))?;
    Ok(())
}

/// Send a registration SMS code
///
/// Checks the captcha (which is then gone), applies the limits (one send per
/// mobile per 60 s, 10 per mobile per day, 20 per client IP per hour) and sends a
/// 6-digit code valid for 300 s. The answer comes once the message is handed over.
#[utoipa::path(
    get,
    path = "/sms_codes/{mobile}/", operation_id = "sendSmsCode",
    tag = "verification",
    params(("mobile" = String, Path, description = "Mainland China mobile", example = "13800138000"), SmsCodeQuery),
    responses(
        (status = 200, description = "The code was sent", body = MessageResponse),
        (status = 400, description = "Malformed mobile or captcha (`invalid_mobile`, `invalid_captcha`), or a wrong or expired captcha (`captcha_wrong`)", body = ErrorBody,
            example = json!({"code": "captcha_wrong", "message": "图片验证码错误或已过期", "non_field_errors": ["图片验证码错误或已过期"], "text": ["图片验证码错误或已过期"]})),
        (status = 429, description = "Sent within the last 60 s, or over the daily or per-IP cap (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed")),
            example = json!({"code": "rate_limited", "message": "操作过于频繁，请60秒后再试", "non_field_errors": ["操作过于频繁，请60秒后再试"], "retry_after": 60})),
        (status = 503, description = "The cache or the message queue is unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn sms_code(req: &mut Request, depot: &mut Depot) -> Result<Json<MessageResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query: SmsCodeQuery = read_query(req)?;
    state
        .codes
        .send_sms_code
        .execute(SendSmsCodeRequest {
            mobile: req.param::<String>("mobile").unwrap_or_default(),
            captcha_id: query.image_code_id.unwrap_or_default(),
            captcha_text: query.text.unwrap_or_default(),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    Ok(Json(MessageResponse::ok()))
}

/// Send a registration or find-password email code
///
/// The seed's email flow: a 6-digit code valid for 300 s, under the same limits
/// as SMS (one per address per 60 s, 10 per address per day, 20 per client IP
/// per hour). `send_type=resetpwd` mails only an address that an account uses,
/// yet answers every address alike, so it does not reveal which have accounts.
#[utoipa::path(
    get,
    path = "/email_codes/{email}/", operation_id = "sendEmailCode",
    tag = "verification",
    params(("email" = String, Path, description = "Email address", example = "alice@example.com"), EmailCodeQuery),
    responses(
        (status = 200, description = "The code was queued", body = MessageResponse),
        (status = 400, description = "Malformed address (`invalid_email`) or an unknown `send_type` (`invalid_choice`)", body = ErrorBody,
            example = json!({"code": "invalid_choice", "message": "send_type 只能是 register 或 resetpwd", "non_field_errors": ["send_type 只能是 register 或 resetpwd"], "send_type": ["send_type 只能是 register 或 resetpwd"]})),
        (status = 429, description = "Sent within the last 60 s, or over the daily or per-IP cap (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed")),
            example = json!({"code": "rate_limited", "message": "操作过于频繁，请60秒后再试", "non_field_errors": ["操作过于频繁，请60秒后再试"], "retry_after": 60})),
        (status = 503, description = "The database, the cache or the message queue is unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn email_code(req: &mut Request, depot: &mut Depot) -> Result<Json<MessageResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query: EmailCodeQuery = read_query(req)?;
    state
        .codes
        .send_email_code
        .execute(SendEmailCodeRequest {
            email: req.param::<String>("email").unwrap_or_default(),
            send_type: query.send_type.unwrap_or_default(),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    Ok(Json(MessageResponse::ok()))
}
