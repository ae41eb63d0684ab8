//! The OpenAPI 3.1 document of the account service, built from the HTTP
//! adapter's annotated handlers. `openapi.json` beside this crate is the
//! committed copy; a test fails when it is stale (`UPDATE_OPENAPI=1 cargo test -p openapi` rewrites it,
//! except under `CI`, where it fails).

mod client_contract;
mod field_rules;
mod jwt_security;

use http_api::ErrorBody;
use http_api::dto;
use http_api::dto::{DevCaptcha, DevMessage};
use http_api::handlers::{
    account_deletion, availability, bindings, dev_outbox, email_binding, health, jwks, metrics, password_reset,
    personal_data, qq_login, sessions, sign_in_history, signed_in_sessions, sms_login, users, verification,
    wechat_login, wechat_web_login,
};
use utoipa::OpenApi;

use crate::client_contract::ClientContract;
use crate::jwt_security::JwtSecurity;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Meiduo accounts",
        description = "User accounts of the Meiduo shop: registration with mobile and SMS code, \
registration with email and email code, password login by username, mobile or email, find password, \
email binding, QQ login, WeChat mini-program and website login, and the signed-in user's page. \
Every error answers with the one error body (`ErrorBody`); messages are zh-CN unless `Accept-Language: en`. \
Every path also answers without its trailing slash. Bodies are JSON or `application/x-www-form-urlencoded`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/", description = "The service that serves this document")),
    paths(
        verification::image_code,
        verification::sms_code,
        verification::email_code,
        availability::username_count,
        availability::mobile_count,
        availability::email_count,
        users::register,
        sessions::log_in,
        sms_login::log_in_with_sms,
        sessions::refresh,
        sessions::log_out,
        sessions::revoke_all_sessions,
        signed_in_sessions::list,
        signed_in_sessions::end,
        sign_in_history::list,
        users::current_user,
        users::update_profile,
        users::change_password,
        account_deletion::request_deletion,
        bindings::list,
        bindings::unbind,
        personal_data::export,
        email_binding::set_email,
        email_binding::verify_email,
        password_reset::start,
        password_reset::send_sms,
        password_reset::confirm_code,
        password_reset::reset,
        qq_login::authorization,
        qq_login::start,
        qq_login::callback,
        qq_login::bind,
        wechat_web_login::authorization,
        wechat_web_login::start,
        wechat_web_login::callback,
        wechat_web_login::bind,
        wechat_login::mini_program,
        wechat_login::phone,
        health::live,
        health::ready,
        jwks::jwks,
        metrics::metrics,
        dev_outbox::dev_outbox,
    ),
    components(schemas(
        ErrorBody,
        dto::RegisterRequest,
        dto::RegisterResponse,
        dto::LoginRequest,
        dto::LoginResponse,
        dto::SmsLoginRequest,
        dto::SmsLoginResponse,
        dto::RefreshRequest,
        dto::RefreshResponse,
        dto::LogoutRequest,
        dto::SignedInSessionResponse,
        dto::SignInResponse,
        dto::UserResponse,
        dto::ProfilePatchRequest,
        dto::ChangePasswordRequest,
        dto::AccountDeletionRequest,
        dto::AccountDeletionResponse,
        dto::BindingResponse,
        dto::PersonalDataResponse,
        dto::ExportedAccount,
        dto::ExportedProfile,
        dto::ExportedBinding,
        dto::ExportedSession,
        dto::ExportedAuditEvent,
        dto::SetEmailBody,
        dto::SetEmailResponse,
        dto::PasswordResetStartResponse,
        dto::PasswordResetCodeResponse,
        dto::ResetPasswordBody,
        dto::ResetPasswordResponse,
        dto::OAuthAuthorizationResponse,
        dto::OAuthCallbackResponse,
        dto::OAuthBindRequest,
        dto::OAuthBindResponse,
        dto::MiniProgramLoginRequest,
        dto::MiniProgramLoginResponse,
        dto::MiniProgramPhoneRequest,
        dto::UsernameCount,
        dto::MobileCount,
        dto::EmailCount,
        dto::MessageResponse,
        dto::HealthStatus,
        dto::Readiness,
        dto::JwkSetResponse,
        dto::PublicJwk,
        dto::DevOutboxResponse,
        DevMessage,
        DevCaptcha,
    )),
    modifiers(&JwtSecurity, &ClientContract),
    tags(
        (name = "verification", description = "Captchas and one-time codes"),
        (name = "registration", description = "Availability checks and sign-up"),
        (name = "sessions", description = "Log in, refresh, log out, see and end sessions, sign-in history, sign out everywhere"),
        (name = "user", description = "The signed-in user's account"),
        (name = "find password", description = "The four classic steps of password recovery"),
        (name = "wechat login", description = "WeChat mini-program and website (QR) login; one account per person across both (404 while the app is not configured)"),
        (name = "qq login", description = "QQ Connect login with first-time binding (404 while QQ is not configured)"),
        (name = "operations", description = "Health checks, metrics and the public keys of access tokens"),
        (name = "development", description = "Only while the development outbox is on (both channels on the development adapter, or `DEV_OUTBOX=true`; never with `TRUSTED_PROXIES`), and only to direct loopback requests without forwarding headers; 404 otherwise"),
    )
)]
pub struct ApiDoc;

/// The document, with the crate's version.
fn annotated() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document as served, with every request field's rule. The rules are plain JSON Schema keywords
/// (`anyOf` of `required`, enums of mixed types) that utoipa's typed model cannot hold, so they are
/// written on the JSON.
pub fn document() -> Result<serde_json::Value, serde_json::Error> {
    let mut json = serde_json::to_value(annotated())?;
    field_rules::write_rules(&mut json);
    // The captcha is a picture, not the array of integers utoipa makes of `Vec<u8>`.
    json["paths"]["/image_codes/{uuid}/"]["get"]["responses"]["200"]["content"]["image/png"]["schema"] =
        serde_json::json!({"type": "string", "contentMediaType": "image/png"});
    Ok(json)
}

/// The document as pretty JSON, exactly as committed in `openapi/openapi.json`.
pub fn document_json() -> Result<String, serde_json::Error> {
    let mut json = serde_json::to_string_pretty(&document()?)?;
    json.push('\n');
    Ok(json)
}
