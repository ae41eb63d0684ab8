//! Deleting one's own account (PIPL art. 47): a request, a cooling-off, an erasure.

use application::use_cases::RequestAccountDeletionRequest;
use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::body::read_body;
use crate::dto::{AccountDeletionRequest, AccountDeletionResponse};
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Delete one's account
///
/// Confirm with the account's `password`; an account without a password
/// confirms with `sms_code`, a code sent to its mobile by
/// `GET /sms_codes/{mobile}/`; an account with neither (WeChat only) sends an
/// empty body with a token from a sign-in within the last 5 minutes. Every
/// session ends at once (this token included). The account is erased by the
/// retention job after `delete_after` (`ACCOUNT_DELETION_COOLING_OFF_SECS`
/// after the request, 15 days by default): its username, mobile, email,
/// profile and bindings go and are free again, and its audit trail keeps only
/// a pseudonym. A successful sign-in by any method before then restores the
/// account and says so (`restored: true`). Asking again while a deletion is
/// scheduled answers the time already set. Wrong passwords and codes count
/// toward the account's login lock.
#[utoipa::path(
    post,
    path = "/user/deletion/", operation_id = "requestAccountDeletion",
    tag = "user",
    security(("jwt" = [])),
    request_body(content(
        (AccountDeletionRequest = "application/json"),
        (AccountDeletionRequest = "application/x-www-form-urlencoded"),
    ), description = "Empty for an account with neither password nor mobile"),
    responses(
        (status = 202, description = "Scheduled; every session has ended", body = AccountDeletionResponse),
        (status = 400, description = "Wrong password (`wrong_password`), wrong, expired or burnt code (`code_wrong`, `code_expired`, `code_exhausted`), a malformed code (`invalid_code`), the confirmation the account needs missing (`required`, on `password` or `sms_code`), a token of an account with neither password nor mobile not from a sign-in within 5 minutes (`recent_sign_in_required`), or a malformed body (`malformed_body`)", body = ErrorBody,
            example = json!({"code": "wrong_password", "message": "密码错误", "non_field_errors": ["密码错误"], "password": ["密码错误"]})),
        (status = 401, description = "No, garbled, expired or revoked token (`not_authenticated`, `token_invalid`, `token_expired`, `token_revoked`)", body = ErrorBody,
            example = json!({"code": "token_revoked", "message": "令牌已失效，请重新登录", "detail": "令牌已失效，请重新登录", "non_field_errors": ["令牌已失效，请重新登录"]})),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "Neither JSON nor a urlencoded form (`unsupported_media_type`)", body = ErrorBody),
        (status = 429, description = "The account is locked after too many wrong passwords or codes (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the lock ends")),
            example = json!({"code": "rate_limited", "message": "操作过于频繁，请900秒后再试", "non_field_errors": ["操作过于频繁，请900秒后再试"], "retry_after": 900})),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody,
            example = json!({"code": "service_unavailable", "message": "服务暂时不可用，请稍后再试", "non_field_errors": ["服务暂时不可用，请稍后再试"]})),
    )
)]
#[handler]
pub async fn request_deletion(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = ApiState::from_depot(depot)?;
    let claims = claims(depot)?.clone();
    let body: AccountDeletionRequest = read_body(req, state.max_body_bytes).await?;
    let delete_after = state
        .accounts
        .request_deletion
        .execute(RequestAccountDeletionRequest {
            claims,
            password: body.password,
            sms_code: body.sms_code,
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    res.status_code(StatusCode::ACCEPTED);
    res.render(Json(AccountDeletionResponse { delete_after }));
    Ok(())
}
