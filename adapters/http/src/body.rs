use salvo::http::ParseError;
use salvo::http::header::CONTENT_TYPE;
use salvo::prelude::Request;
use serde::de::DeserializeOwned;

use super::api_error::ApiError;

/// Reads a JSON or urlencoded form body (the classic pages post both) of at
/// most `max_bytes`. An empty body reads as an empty object, so a missing field
/// is reported against the field rather than as a malformed body, and a POST
/// that needs no body (logout) may come without one and without a `Content-Type`.
/// A body of any other type, or one whose type is not declared, is refused with
/// 415 rather than guessed at: `text/plain` is what a cross-site form or a
/// "simple" `fetch` can send without a CORS preflight, so reading it as JSON
/// would let another site post JSON to this API unasked.
pub async fn read_body<T: DeserializeOwned>(req: &mut Request, max_bytes: usize) -> Result<T, ApiError> {
    let media_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    let bytes = req.payload_with_max_size(max_bytes).await.map_err(|error| match error {
        ParseError::PayloadTooLarge => ApiError::PayloadTooLarge,
        other => ApiError::MalformedBody(other.to_string()),
    })?;
    let json = |bytes: &[u8]| {
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody(e.to_string()))
    };
    match media_type.as_deref() {
        Some("application/x-www-form-urlencoded") => {
            serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::MalformedBody(e.to_string()))
        }
        Some("application/json") => json(bytes),
        Some(media_type) if media_type.starts_with("application/") && media_type.ends_with("+json") => json(bytes),
        None if bytes.is_empty() => json(bytes),
        None | Some(_) => Err(ApiError::UnsupportedMediaType),
    }
}
