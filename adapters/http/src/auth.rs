use application::ports::AccessClaims;
use application::{AppError, AuthFailure};
use domain::User;
use salvo::http::header::AUTHORIZATION;
use salvo::prelude::{Depot, FlowCtrl, Request, Response};
use salvo::{Writer, handler};

use super::api_error::ApiError;
use super::language::Language;
use super::state::ApiState;

/// The token of `Authorization: JWT <token>` (the classic pages) or `Bearer <token>`.
fn bearer_token(req: &Request) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("jwt") || scheme.eq_ignore_ascii_case("bearer")).then_some(token)
}

/// Hoop in front of every authenticated route: verifies the token and leaves
/// its claims and the account, as read with its standing, in the depot, or
/// answers 401. A request that writes is checked against the stored account.
#[handler]
pub async fn require_auth(req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    let state = match ApiState::from_depot(depot) {
        Ok(state) => state,
        Err(error) => {
            error.write(req, depot, res).await;
            ctrl.skip_rest();
            return;
        }
    };
    let header_present = req.headers().contains_key(AUTHORIZATION);
    // Only a request that changes nothing may be authorised from memory.
    let writes = !req.method().is_safe();
    let result = match bearer_token(req) {
        Some(token) if writes => state.sessions.authenticate.execute_for_write(Some(token)).await,
        Some(token) => state.sessions.authenticate.execute(Some(token)).await,
        // A header with another scheme is a bad token, not a missing one.
        None if header_present => Err(AppError::Unauthenticated(AuthFailure::Invalid)),
        None => state.sessions.authenticate.execute(None).await,
    };
    match result {
        Ok(authenticated) => {
            depot.insert_typed(authenticated.claims);
            depot.insert_typed(authenticated.user);
        }
        Err(error) => {
            ApiError::from(error).write_to(Language::of(req), res);
            ctrl.skip_rest();
        }
    }
}

/// The claims [`require_auth`] left for this request.
pub fn claims(depot: &Depot) -> Result<&AccessClaims, ApiError> {
    depot.get_typed::<AccessClaims>().map_err(|_| ApiError::App(AppError::Unauthenticated(AuthFailure::Missing)))
}

/// The account [`require_auth`] read for this request, as it was when its token was checked.
pub fn authenticated_user(depot: &Depot) -> Result<&User, ApiError> {
    depot.get_typed::<User>().map_err(|_| ApiError::App(AppError::Unauthenticated(AuthFailure::Missing)))
}
