use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// The one error body of the API (DRF-compatible, plus a stable `code`).
///
/// Besides the fixed keys, each invalid field appears as a key holding its
/// messages, e.g. `"password2": ["两次密码不一致"]`.
///
/// Codes: `invalid_username`, `invalid_mobile`, `invalid_email`, `invalid_password`,
/// `invalid_code`, `invalid_captcha`, `required`, `password_mismatch`,
/// `agreement_required`, `captcha_wrong`, `code_wrong`, `code_expired`,
/// `code_exhausted`, `already_taken` (400, the first field error's code);
/// `invalid_credentials` (400); `malformed_body` (400); `not_authenticated`,
/// `token_invalid`, `token_expired`, `token_revoked` (401); `forbidden` (403);
/// `not_found` (404); `method_not_allowed` (405); `payload_too_large` (413);
/// `unsupported_media_type` (415); `rate_limited` (429, with `Retry-After`);
/// `service_unavailable` (503); `internal_error` (500, always a bug).
/// Also: `invalid_choice`, `invalid_access_token`, `invalid_link`, `no_mobile`,
/// `wrong_password`, `invalid_state`, `invalid_oauth_code` (400); `already_bound`,
/// `already_taken` (409, an email verified by another account first);
/// `upstream_failed` (502, with `provider_code` when the provider gave one).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "password_mismatch",
    "message": "两次密码不一致",
    "non_field_errors": ["两次密码不一致"],
    "password2": ["两次密码不一致"]
}))]
pub struct ErrorBody {
    /// Stable machine-readable identifier (see the catalogue above).
    pub code: String,
    /// The first human-readable message (zh-CN, or English with `Accept-Language: en`).
    pub message: String,
    /// Messages not tied to one field; holds `message` when every error is a field's,
    /// because the classic pages show `non_field_errors[0]`.
    pub non_field_errors: Vec<String>,
    /// DRF's key, present on 401 answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Seconds until a retry can succeed, present on 429 answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The provider's own error code, present on 502 answers when the provider gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<i64>,
    /// Messages per invalid field.
    #[serde(flatten)]
    #[schema(additional_properties)]
    pub fields: BTreeMap<String, Vec<String>>,
}
