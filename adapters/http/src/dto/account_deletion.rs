use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lenient;

/// What confirms a deletion: the account's password; for an account without
/// one, a code sent to its mobile by `GET /sms_codes/{mobile}/`; for an account
/// with neither (WeChat only), nothing but a token from a sign-in within the
/// last 5 minutes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"password": "correct-horse"}))]
pub struct AccountDeletionRequest {
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub sms_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"delete_after": "2026-12-21T18:00:00Z"}))]
pub struct AccountDeletionResponse {
    /// When the account will be erased (RFC 3339, UTC); a sign-in before then restores it.
    pub delete_after: DateTime<Utc>,
}
