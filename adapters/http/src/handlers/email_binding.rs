//! Binding an email to an account and verifying it by a mailed link.

use application::use_cases::SetEmailRequest;
use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::body::read_body;
use crate::dto::{EmailVerificationQuery, MessageResponse, SetEmailBody, SetEmailResponse};
use crate::error_body::ErrorBody;
use crate::query::read_query;
use crate::state::ApiState;

/// Set the signed-in user's email
///
/// Stores the address as pending and mails a signed link (valid 24 h) that
/// verifies it; a verified address the account already has stays (it logs in
/// and recovers the password) until then. A pending address blocks nobody:
/// other accounts may register, bind and verify it, and the first to verify
/// keeps it. The already verified address again mails nothing and calls off a
/// pending change. Mails count toward the per-address and per-IP send limits.
#[utoipa::path(
    put,
    path = "/email/", operation_id = "setEmail",
    tag = "user",
    security(("jwt" = [])),
    request_body(content(
        (SetEmailBody = "application/json"),
        (SetEmailBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Stored as pending and the link is queued (`email` is the address sent)", body = SetEmailResponse),
        (status = 400, description = "A malformed address (`invalid_email`) or one another account has verified (`already_taken`)", body = ErrorBody,
            example = json!({"code": "already_taken", "message": "邮箱已被注册", "non_field_errors": ["邮箱已被注册"], "email": ["邮箱已被注册"]})),
        (status = 401, description = "No, garbled, expired or revoked token", body = ErrorBody),
        (status = 429, description = "A send limit for the address or client is reached (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))),
        (status = 503, description = "Database, cache or message queue unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn set_email(req: &mut Request, depot: &mut Depot) -> Result<Json<SetEmailResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user = claims(depot)?.user_id;
    let body: SetEmailBody = read_body(req, state.max_body_bytes).await?;
    let updated = state
        .email
        .set_email
        .execute(SetEmailRequest {
            user,
            email: body.email.unwrap_or_default(),
            client_ip: state.client_ip.resolve(req),
        })
        .await?;
    Ok(Json(SetEmailResponse {
        id: updated.id.0,
        email: updated.latest_email().map(ToString::to_string).unwrap_or_default(),
    }))
}

/// Verify an email by its link
///
/// The token of the mailed link makes the pending address the user's
/// verified one (replacing an earlier verified address) while it is still
/// their pending address and no password reset, password change or sign-out
/// everywhere came since it was mailed. Opening the link again is harmless.
/// Another account that verified the address first keeps it: 409.
#[utoipa::path(
    get,
    path = "/emails/verification/", operation_id = "verifyEmail",
    tag = "user",
    params(EmailVerificationQuery),
    responses(
        (status = 200, description = "Verified", body = MessageResponse),
        (status = 400, description = "A missing, forged or expired token, an address the user no longer waits for, or a link mailed before a password reset, password change or sign-out everywhere (`invalid_link`)", body = ErrorBody,
            example = json!({"code": "invalid_link", "message": "无效的激活链接", "non_field_errors": ["无效的激活链接"], "token": ["无效的激活链接"]})),
        (status = 409, description = "Another account verified the address first (`already_taken`)", body = ErrorBody,
            example = json!({"code": "already_taken", "message": "邮箱已被注册", "non_field_errors": ["邮箱已被注册"], "email": ["邮箱已被注册"]})),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn verify_email(req: &mut Request, depot: &mut Depot) -> Result<Json<MessageResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let query: EmailVerificationQuery = read_query(req)?;
    state.email.verify_email.execute(&query.token.unwrap_or_default(), state.client_ip.resolve(req)).await?;
    Ok(Json(MessageResponse::ok()))
}
