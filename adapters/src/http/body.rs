use salvo::http::ParseError;
use salvo::http::header::CONTENT_TYPE;
use salvo::prelude::Request;
use serde::de::DeserializeOwned;

use super::api_error::ApiError;

/// Reads a JSON or urlencoded form body (the classic pages post both) of at
/// most `max_bytes`. An empty body reads as an empty object, so a missing field
/// is reported against the field rather than as a malformed body.
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
    match media_type.as_deref() {
        Some("application/x-www-form-urlencoded") => {
            serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::MalformedBody(e.to_string()))
        }
        None | Some("application/json") | Some("text/plain") => {
            let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
            serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody(e.to_string()))
        }
        Some(media_type) if media_type.ends_with("+json") => {
            serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody(e.to_string()))
        }
        Some(_) => Err(ApiError::UnsupportedMediaType),
    }
}
