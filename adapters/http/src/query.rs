use salvo::prelude::Request;
use serde::de::DeserializeOwned;

use super::api_error::ApiError;

/// Reads the query string as the whole DTO its handler documents (`IntoParams`),
/// so the parameters in the OpenAPI document are the ones parsed. A repeated
/// parameter counts once, by its first value. Today's query DTOs hold optional
/// text only, which every query string fills; a typed field that does not parse
/// would be refused like a body that does not (400 `malformed_body`).
pub fn read_query<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    salvo::serde::from_str_multi_map(req.queries().iter_all())
        .map_err(|error| ApiError::MalformedBody(format!("query: {error}")))
}
