use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::dto::{EmailCount, MobileCount, UsernameCount};
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Is a username taken?
///
/// Rate limited per client IP, since every answer tells whether an account exists.
#[utoipa::path(
    get,
    path = "/usernames/{username}/count/", operation_id = "countUsername",
    tag = "registration",
    params(("username" = String, Path, example = "alice")),
    responses(
        (status = 200, description = "0 = free, 1 = taken (case-insensitive)", body = UsernameCount),
        (status = 400, description = "Not a valid username (`invalid_username`)", body = ErrorBody),
        (status = 429, description = "Too many checks from this address (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn username_count(req: &mut Request, depot: &mut Depot) -> Result<Json<UsernameCount>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let raw = req.param::<String>("username").unwrap_or_default();
    let availability = state.sign_up.check_availability.username(&raw, state.client_ip.resolve(req)).await?;
    Ok(Json(UsernameCount { username: availability.value, count: availability.count }))
}

/// Is a mobile registered?
#[utoipa::path(
    get,
    path = "/mobiles/{mobile}/count/", operation_id = "countMobile",
    tag = "registration",
    params(("mobile" = String, Path, example = "13800138000")),
    responses(
        (status = 200, description = "0 = free, 1 = registered", body = MobileCount),
        (status = 400, description = "Not a mainland China mobile (`invalid_mobile`)", body = ErrorBody),
        (status = 429, description = "Too many checks from this address (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn mobile_count(req: &mut Request, depot: &mut Depot) -> Result<Json<MobileCount>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let raw = req.param::<String>("mobile").unwrap_or_default();
    let availability = state.sign_up.check_availability.mobile(&raw, state.client_ip.resolve(req)).await?;
    Ok(Json(MobileCount { mobile: availability.value, count: availability.count }))
}

/// Is an email registered?
#[utoipa::path(
    get,
    path = "/emails/{email}/count/", operation_id = "countEmail",
    tag = "registration",
    params(("email" = String, Path, example = "alice@example.com")),
    responses(
        (status = 200, description = "0 = free, 1 = an account has verified it (case-insensitive); an address only waiting for its verification link counts 0", body = EmailCount),
        (status = 400, description = "Not a valid email (`invalid_email`)", body = ErrorBody),
        (status = 429, description = "Too many checks from this address (`rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))),
        (status = 503, description = "Database or cache unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn email_count(req: &mut Request, depot: &mut Depot) -> Result<Json<EmailCount>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let raw = req.param::<String>("email").unwrap_or_default();
    let availability = state.sign_up.check_availability.email(&raw, state.client_ip.resolve(req)).await?;
    Ok(Json(EmailCount { email: availability.value, count: availability.count }))
}
