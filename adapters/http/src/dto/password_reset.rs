use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::lenient;

/// Step 1: the captcha that rations account lookups.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PasswordResetCaptchaQuery {
    /// The UUID used with `GET /image_codes/{uuid}/`.
    #[param(example = "6f9619ff-8b86-d011-b42d-00c04fc964ff")]
    pub image_code_id: Option<String>,
    /// The 4 characters in the picture (case-insensitive).
    #[param(example = "AB12")]
    pub text: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"mobile": "138****8000", "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJmbG93IjoicmVzZXRfcGFzc3dvcmRfc21zIn0.sig"}))]
pub struct PasswordResetStartResponse {
    /// The account's mobile, masked.
    pub mobile: String,
    /// For `GET /sms_codes/?access_token=`; 300 s, once.
    pub access_token: String,
}

/// Step 2: the token of step 1.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StepTokenQuery {
    /// The `access_token` of the previous step.
    pub access_token: Option<String>,
}

/// Step 3: the code sent in step 2 (or an email code for an email account).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PasswordResetCodeQuery {
    /// The 6 digits sent to the account's mobile.
    #[param(example = "123456")]
    pub sms_code: Option<String>,
    /// When the account is an email: the 6 digits of `GET /email_codes/{email}/?send_type=resetpwd`.
    pub email_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"user_id": 1, "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJmbG93IjoicmVzZXRfcGFzc3dvcmQifQ.sig"}))]
pub struct PasswordResetCodeResponse {
    pub user_id: i64,
    /// For `POST /users/{user_id}/password/`; 300 s, once.
    pub access_token: String,
}

/// Step 4: the new password and the token of step 3.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"password": "battery-staple", "password2": "battery-staple", "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig"}))]
pub struct ResetPasswordBody {
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub password2: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub access_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1}))]
pub struct ResetPasswordResponse {
    pub id: i64,
}
