use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::messaging::{DevCaptcha, DevMessage};

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

/// What the development message adapters sent, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "messages": [{"id": 42, "channel": "sms", "to": "13800138000", "purpose": "register", "status": "queued",
                  "code": "123456", "link": null, "created_at": "2026-11-22T08:00:00Z"}],
    "captchas": [{"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "text": "AB12", "created_at": "2026-11-22T08:00:00Z"}]
}))]
pub struct DevOutboxResponse {
    pub messages: Vec<DevMessage>,
    pub captchas: Vec<DevCaptcha>,
}
