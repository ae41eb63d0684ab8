//! Sign-in by SMS code.

use application::use_cases::SmsLogInRequest;
use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::body::read_body;
use crate::dto::{SmsLoginRequest, SmsLoginResponse};
use crate::error_body::ErrorBody;
use crate::sign_in_origin::sign_in_origin;
use crate::state::ApiState;

/// Sign in with an SMS code
///
/// `sms_code` is the code `GET /sms_codes/{mobile}/` (captcha first) sent to
/// `mobile`, the one registration takes: whichever of the two uses it first
/// spends it. A mobile with an account signs in to it; one without gets a new
/// account with a generated username and no password (`created: true`) while
/// `SMS_LOGIN_SIGNUP` is on (the default). With it off, a mobile without an
/// account is answered and counted exactly like a wrong code (its right code
/// is spent too), so the answer tells nothing about the mobile until the
/// sign-in succeeds.
///
/// A code allows `CODE_MAX_ATTEMPTS` (5) tries, then is burned, however many
/// requests arrive at once. Every refused code (wrong, expired or burned) is
/// also a failure of the client's address, counted with the wrong passwords of
/// `POST /authorizations/`: after `LOGIN_IP_FAILURES` (30) within
/// `LOGIN_IP_WINDOW_SECS` (10 min) no code from that address is checked for
/// the window (429 with `Retry-After`). A try holds its place in that count
/// while its code is checked, so simultaneous tries get no more checks than
/// the limit allows.
#[utoipa::path(
    post,
    path = "/authorizations/sms/", operation_id = "logInWithSms",
    tag = "sessions",
    request_body(content(
        (SmsLoginRequest = "application/json"),
        (SmsLoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Signed in; `created` tells whether the account was opened by this sign-in", body = SmsLoginResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "A missing or invalid mobile (`invalid_mobile`) or code (`invalid_code`), a wrong (`code_wrong`), expired or never sent (`code_expired`) or burned (`code_exhausted`) code, a mobile taken meanwhile by an account it cannot sign in to (`already_taken`), or a malformed body (`malformed_body`)", body = ErrorBody,
            example = json!({"code": "code_wrong", "message": "验证码错误，还可尝试4次", "non_field_errors": ["验证码错误，还可尝试4次"], "sms_code": ["验证码错误，还可尝试4次"]})),
        (status = 413, description = "Body too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "Neither JSON nor a urlencoded form (`unsupported_media_type`)", body = ErrorBody),
        (status = 429, description = "Too many refused codes or wrong passwords from this address (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the lock ends")),
            example = json!({"code": "rate_limited", "message": "操作过于频繁，请600秒后再试", "non_field_errors": ["操作过于频繁，请600秒后再试"], "retry_after": 600})),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn log_in_with_sms(req: &mut Request, depot: &mut Depot) -> Result<Json<SmsLoginResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let body: SmsLoginRequest = read_body(req, state.max_body_bytes).await?;
    let signed_in = state
        .accounts
        .log_in_with_sms
        .execute(SmsLogInRequest {
            mobile: body.mobile.unwrap_or_default(),
            sms_code: body.sms_code.unwrap_or_default(),
            origin: sign_in_origin(&state, req),
        })
        .await?;
    Ok(Json(SmsLoginResponse {
        token: signed_in.session.access.token,
        user_id: signed_in.user.id.0,
        id: signed_in.user.id.0,
        username: signed_in.user.username,
        expires_in: signed_in.session.access.expires_in_secs,
        refresh_token: signed_in.session.refresh_token,
        created: signed_in.created,
        restored: signed_in.restored,
    }))
}
