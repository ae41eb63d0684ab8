use salvo::handler;
use salvo::http::header::{CACHE_CONTROL, HeaderValue};
use salvo::prelude::{Depot, Json, Response};

use crate::api_error::ApiError;
use crate::dto::JwkSetResponse;
use crate::error_body::ErrorBody;
use crate::state::ApiState;

/// The public keys of access tokens (JWKS)
///
/// What another service verifies access tokens with, without holding a secret that could mint
/// them: pick the key whose `kid` the token's header names, accept only its `alg`, then check
/// `iss`, `aud`, `exp` and `token_type` `access`. Published while `JWT_ALGORITHM` is `ES256` or
/// `EdDSA`: the current key and the earlier keys of `JWT_VERIFY_KEY_FILES`. Cacheable for five
/// minutes; a token naming an unknown `kid` is the sign to fetch the set again.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    operation_id = "getJsonWebKeySet",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The public keys, with `Cache-Control: public, max-age=300`", body = JwkSetResponse,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        (status = 404, description = "Access tokens are HS256 (`JWT_ALGORITHM`), whose key is not public (`not_found`)", body = ErrorBody),
    )
)]
#[handler]
pub async fn jwks(depot: &mut Depot, res: &mut Response) -> Result<Json<JwkSetResponse>, ApiError> {
    let state = ApiState::from_depot(depot)?;
    let keys = state.jwks.clone().ok_or(ApiError::RouteNotFound)?;
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    Ok(Json(keys))
}
