use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The solved captcha that must accompany an SMS code request.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SmsCodeQuery {
    /// The UUID used with `GET /image_codes/{uuid}/`.
    #[param(example = "6f9619ff-8b86-d011-b42d-00c04fc964ff")]
    pub image_code_id: Option<String>,
    /// The 4 characters in the picture (case-insensitive).
    #[param(example = "AB12")]
    pub text: Option<String>,
}

/// What an email code is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmailCodeQuery {
    /// `register` (the default) or `resetpwd` (find password).
    #[param(example = "register")]
    pub send_type: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"message": "OK"}))]
pub struct MessageResponse {
    pub message: String,
}

impl MessageResponse {
    pub fn ok() -> Self {
        Self { message: "OK".into() }
    }
}
