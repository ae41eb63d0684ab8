//! A copy of the signed-in user's personal data.

use salvo::handler;
use salvo::http::HeaderValue;
use salvo::http::header::CONTENT_DISPOSITION;
use salvo::prelude::{Depot, Json, Request, Response};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::dto::PersonalDataResponse;
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// Download a copy of my data
///
/// Every personal datum the service holds about the signed-in user, as one
/// JSON document to keep (PIPL art. 45): the account's identifiers (a
/// pending email included), the profile, the bound QQ and WeChat identities,
/// the signed-in sessions and the audit trail of the account (sign-ins,
/// refused sign-ins, logouts, changes), with full addresses. Secrets the
/// service keeps to check the person (the password hash, refresh tokens,
/// WeChat session keys) are not data about the person and are left out.
/// Each download is audited (`data_exported`).
#[utoipa::path(
    get,
    path = "/user/data/", operation_id = "exportPersonalData",
    tag = "user",
    security(("jwt" = [])),
    responses(
        (status = 200, description = "The copy, as an attachment", body = PersonalDataResponse,
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"meiduo-account-<id>.json\"`"),
                ("Cache-Control" = String, description = "`no-store`"),
            )),
        (status = 401, description = "No, garbled, expired or revoked token (`not_authenticated`, `token_invalid`, `token_expired`, `token_revoked`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn export(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<Json<PersonalDataResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user = claims(depot)?.user_id;
    let data = state.accounts.export_personal_data.execute(user, state.client_ip.resolve(req)).await?;
    let attachment = format!("attachment; filename=\"meiduo-account-{}.json\"", user.0);
    if let Ok(value) = HeaderValue::from_str(&attachment) {
        res.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    Ok(Json(PersonalDataResponse::new(data, chrono::Utc::now())))
}
