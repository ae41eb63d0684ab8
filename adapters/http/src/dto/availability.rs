use serde::Serialize;
use utoipa::ToSchema;

/// How many accounts use a username (0 or 1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"username": "alice", "count": 0}))]
pub struct UsernameCount {
    pub username: String,
    pub count: u8,
}

/// How many accounts use a mobile (0 or 1); the mobile comes back normalised.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"mobile": "13800138000", "count": 1}))]
pub struct MobileCount {
    pub mobile: String,
    pub count: u8,
}

/// How many accounts use an email (0 or 1); the email comes back lower-cased.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"email": "alice@example.com", "count": 0}))]
pub struct EmailCount {
    pub email: String,
    pub count: u8,
}
