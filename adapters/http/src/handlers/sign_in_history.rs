//! The signed-in user's sign-in history.

use salvo::handler;
use salvo::prelude::{Depot, Json, Request};

use crate::api_error::ApiError;
use crate::auth::claims;
use crate::dto::{SignInHistoryQuery, SignInResponse};
use crate::error_body::ErrorBody;
use crate::query::read_query;
use crate::state::ApiState;

/// Recent sign-ins
///
/// The account's latest sign-ins and refused sign-ins, newest first: every
/// login by password, SMS code, QQ or WeChat, every refresh-token exchange,
/// every wrong password or code given for the account and every try refused
/// while it was locked. Kept as long as the audit trail (`AUDIT_RETENTION_DAYS`).
#[utoipa::path(
    get,
    path = "/user/logins/", operation_id = "listSignIns",
    tag = "sessions",
    security(("jwt" = [])),
    params(SignInHistoryQuery),
    responses(
        (status = 200, description = "The latest sign-ins, newest first", body = Vec<SignInResponse>,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "`limit` is not a whole number from 1 to 100 (`out_of_range`)", body = ErrorBody,
            example = json!({"code": "out_of_range", "message": "须为1到100之间的整数", "non_field_errors": ["须为1到100之间的整数"], "limit": ["须为1到100之间的整数"]})),
        (status = 401, description = "No, garbled, expired or revoked token (`not_authenticated`, `token_invalid`, `token_expired`, `token_revoked`)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[handler]
pub async fn list(req: &mut Request, depot: &mut Depot) -> Result<Json<Vec<SignInResponse>>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let user = claims(depot)?.user_id;
    let query: SignInHistoryQuery = read_query(req)?;
    let sign_ins = state.sessions.list_sign_ins.execute(user, query.limit.as_deref()).await?;
    Ok(Json(
        sign_ins
            .into_iter()
            .map(|sign_in| SignInResponse {
                at: sign_in.at,
                method: sign_in.method.as_str().to_owned(),
                device: sign_in.device,
                ip: sign_in.ip,
                outcome: sign_in.outcome.as_str().to_owned(),
            })
            .collect(),
    ))
}
