use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::lenient;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "alice@example.com"}))]
pub struct SetEmailBody {
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "email": "alice@example.com"}))]
pub struct SetEmailResponse {
    pub id: i64,
    pub email: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmailVerificationQuery {
    /// The token of the mailed link.
    pub token: Option<String>,
}
