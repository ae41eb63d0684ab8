use std::sync::Arc;
use std::time::Duration;

use salvo::Router;
use salvo::affix_state;
use salvo::cors::{Cors, CorsHandler};
use salvo::http::Method;
use salvo::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};

use super::auth::require_auth;
use super::handlers::{
    account_deletion, availability, bindings, dev_outbox, email_binding, health, jwks, metrics, password_reset,
    personal_data, qq_login, sessions, sign_in_history, signed_in_sessions, sms_login, users, verification,
    wechat_login, wechat_web_login,
};
use super::no_store::no_store;
use super::state::ApiState;

/// Every route of the API. Paths are written without the trailing slash;
/// salvo matches them with or without it, so `/users/` and `/users` answer alike.
pub fn api_router(state: Arc<ApiState>) -> Router {
    let dev_mode = state.dev_outbox.is_some();
    let mut router = Router::new()
        .hoop(affix_state::inject(state))
        .push(Router::with_path("image_codes/{uuid}").get(verification::image_code))
        .push(Router::with_path("sms_codes").get(password_reset::send_sms))
        .push(Router::with_path("sms_codes/{mobile}").get(verification::sms_code))
        .push(Router::with_path("email_codes/{email}").get(verification::email_code))
        // Answers that carry tokens, start tickets or flow cookies: no cache may keep them.
        .push(
            Router::new()
                .hoop(no_store)
                .push(Router::with_path("users").post(users::register))
                .push(Router::with_path("authorizations").post(sessions::log_in))
                .push(Router::with_path("authorizations/refresh").post(sessions::refresh))
                .push(Router::with_path("authorizations/sms").post(sms_login::log_in_with_sms))
                .push(Router::with_path("accounts/{account}/sms/token").get(password_reset::start))
                .push(Router::with_path("accounts/{account}/password/token").get(password_reset::confirm_code))
                .push(Router::with_path("oauth/qq/authorization").get(qq_login::authorization))
                .push(Router::with_path("oauth/qq/start").get(qq_login::start))
                .push(Router::with_path("oauth/qq/user").get(qq_login::callback).post(qq_login::bind))
                .push(Router::with_path("oauth/wechat/authorization").get(wechat_web_login::authorization))
                .push(Router::with_path("oauth/wechat/start").get(wechat_web_login::start))
                .push(
                    Router::with_path("oauth/wechat/user").get(wechat_web_login::callback).post(wechat_web_login::bind),
                )
                .push(Router::with_path("oauth/wechat/miniprogram").post(wechat_login::mini_program)),
        )
        .push(Router::with_path("usernames/{username}/count").get(availability::username_count))
        .push(Router::with_path("mobiles/{mobile}/count").get(availability::mobile_count))
        .push(Router::with_path("emails/{email}/count").get(availability::email_count))
        .push(
            Router::with_path("users/{id}/password")
                .post(password_reset::reset)
                .push(Router::new().hoop(require_auth).put(users::change_password)),
        )
        .push(Router::with_path("email").hoop(require_auth).put(email_binding::set_email))
        .push(Router::with_path("emails/verification").get(email_binding::verify_email))
        .push(Router::with_path("oauth/wechat/miniprogram/phone").hoop(require_auth).post(wechat_login::phone))
        .push(Router::with_path("authorizations/logout").hoop(require_auth).post(sessions::log_out))
        .push(Router::with_path("user").hoop(require_auth).get(users::current_user).patch(users::update_profile))
        .push(Router::with_path("user/oauth").hoop(require_auth).get(bindings::list))
        .push(Router::with_path("user/oauth/{provider}").hoop(require_auth).delete(bindings::unbind))
        .push(Router::with_path("user/sessions/revoke").hoop(require_auth).post(sessions::revoke_all_sessions))
        .push(Router::with_path("user/deletion").hoop(require_auth).post(account_deletion::request_deletion))
        // Where a person is signed in, and from where they signed in: nothing a shared cache may keep.
        .push(
            Router::new()
                .hoop(no_store)
                .hoop(require_auth)
                .push(Router::with_path("user/sessions").get(signed_in_sessions::list))
                .push(Router::with_path("user/sessions/{session_id}").delete(signed_in_sessions::end))
                .push(Router::with_path("user/logins").get(sign_in_history::list))
                .push(Router::with_path("user/data").get(personal_data::export)),
        )
        .push(Router::with_path("health/live").get(health::live))
        .push(Router::with_path("health/ready").get(health::ready))
        .push(Router::with_path("metrics").get(metrics::metrics))
        .push(Router::with_path(".well-known/jwks.json").get(jwks::jwks));
    if dev_mode {
        router = router.push(Router::with_path("dev/outbox").get(dev_outbox::dev_outbox));
    }
    router
}

/// CORS for an explicit list of origins, with credentials; never `*`.
/// Applied to the whole service so that errors carry the headers too.
pub fn cors(allowed_origins: Vec<HeaderValue>) -> CorsHandler {
    Cors::new()
        .allow_origin(allowed_origins)
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers(vec![AUTHORIZATION, CONTENT_TYPE, ACCEPT_LANGUAGE])
        .expose_headers(vec![RETRY_AFTER])
        .max_age(Duration::from_secs(600))
        .into_handler()
}
