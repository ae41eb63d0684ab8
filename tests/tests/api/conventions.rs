//! What every endpoint shares: slashes, bodies, errors, languages, CORS, caching.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, assert_error, assert_no_store, body, spawn_app, spawn_app_with};

#[tokio::test]
async fn paths_answer_with_and_without_the_trailing_slash() {
    let app = spawn_app().await;
    assert_eq!(app.get("/usernames/alice/count").await.status(), StatusCode::OK);
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    let response = app.post_json("/authorizations", &json!({"username": "a", "password": "b"})).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_credentials").await;
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_error_body() {
    let app = spawn_app().await;
    assert_error(app.get("/no/such/path/").await, StatusCode::NOT_FOUND, "not_found").await;
    let response = app.client.delete(app.url("/users/")).send().await.unwrap();
    assert_error(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_oversized_and_foreign_bodies_are_refused_clearly() {
    let app = spawn_app().await;
    let malformed = app
        .client
        .post(app.url("/users/"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, StatusCode::BAD_REQUEST, "malformed_body").await;

    let huge = json!({"username": "a".repeat(100_000), "password": "x"});
    assert_error(app.post_json("/authorizations/", &huge).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
        .await;

    let xml = app
        .client
        .post(app.url("/authorizations/"))
        .header("content-type", "application/xml")
        .body("<login/>")
        .send()
        .await
        .unwrap();
    assert_error(xml, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
}

/// JSON in a `text/plain` body is what a cross-site form or a simple `fetch` can post without
/// a preflight; a body without a type is not guessed at either.
#[tokio::test]
async fn bodies_other_than_json_or_a_form_are_415() {
    let app = spawn_app().await;
    let login = r#"{"username": "nobody", "password": "whatever-pw"}"#;
    for content_type in [Some("text/plain"), Some("text/plain;charset=UTF-8"), Some("multipart/form-data"), None] {
        let mut request = app.client.post(app.url("/authorizations/")).body(login);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
        assert_eq!(body(response).await["code"], "unsupported_media_type", "{content_type:?}");
    }

    // The same body as JSON is read (and the credentials checked).
    let response = app.client.post(app.url("/authorizations/")).header("content-type", "application/json").body(login);
    assert_error(response.send().await.unwrap(), StatusCode::BAD_REQUEST, "invalid_credentials").await;
}

/// Logout and signing out everywhere need no body: posted bare, they keep working.
#[tokio::test]
async fn a_post_without_a_body_or_a_content_type_still_works() {
    let app = spawn_app().await;
    let token = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    let second = body(app.log_in("alice", "correct-horse").await).await["token"].as_str().unwrap().to_owned();

    let response = app.client.post(app.url("/authorizations/logout/")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.client.post(app.url("/user/sessions/revoke/")).bearer_auth(&second).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn accept_language_en_gives_english_messages() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/authorizations/"))
        .header("accept-language", "en-US,en;q=0.9")
        .json(&json!({"username": "nobody", "password": "whatever-pw"}))
        .send()
        .await
        .unwrap();
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_credentials").await;
    assert_eq!(error["message"], "Wrong username or password");
}

#[tokio::test]
async fn cors_headers_are_on_successes_errors_and_preflights_for_listed_origins_only() {
    let app = spawn_app().await;
    let origin = "http://localhost:8080";
    for path in ["/health/live/", "/user/", "/no/such/path/"] {
        let response = app.client.get(app.url(path)).header("origin", origin).send().await.unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], origin, "{path}");
        assert_eq!(response.headers()["access-control-allow-credentials"], "true", "{path}");
    }
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/users/"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let methods = preflight.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let stranger =
        app.client.get(app.url("/health/live/")).header("origin", "https://evil.example").send().await.unwrap();
    assert!(!stranger.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn health_documents_and_swagger_ui_are_served() {
    let app = spawn_app().await;
    assert_eq!(body(app.get("/health/live/").await).await, json!({"status": "ok"}));
    assert_eq!(
        body(app.get("/health/ready/").await).await,
        json!({"status": "ok", "checks": {"cache": "up", "database": "up"}})
    );
    let document = body(app.get("/openapi.json").await).await;
    assert!(document["paths"]["/users/"]["post"].is_object());
    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
    let initializer = app.get("/swagger-ui/swagger-initializer.js").await;
    assert!(initializer.text().await.unwrap().contains("/openapi.json"));
}

async fn count_from(app: &crate::support::TestApp, forwarded_for: &str) -> StatusCode {
    app.client
        .get(app.url("/usernames/alice/count/"))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn per_client_limits_see_the_forwarded_client_only_behind_a_trusted_proxy() {
    let behind_proxy = spawn_app_with(|config| {
        config.availability_ip_per_minute = 1;
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    assert_eq!(count_from(&behind_proxy, "198.51.100.1").await, StatusCode::OK);
    assert_eq!(count_from(&behind_proxy, "198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own allowance; a forged
    // left-most entry does not change who the nearest untrusted hop is.
    assert_eq!(count_from(&behind_proxy, "203.0.113.5").await, StatusCode::OK);
    assert_eq!(count_from(&behind_proxy, "198.51.100.9, 203.0.113.5").await, StatusCode::TOO_MANY_REQUESTS);

    let direct = spawn_app_with(|config| config.availability_ip_per_minute = 1).await;
    assert_eq!(count_from(&direct, "198.51.100.1").await, StatusCode::OK);
    // Without trusted proxies the header is ignored: the socket address is the client.
    assert_eq!(count_from(&direct, "203.0.113.5").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn registration_login_refresh_and_the_password_reset_tokens_say_no_store() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    let code = app.sms_code("13800138000").await;
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_no_store(&response);
    let response = app.log_in("alice", "correct-horse").await;
    assert_no_store(&response);
    let refresh_token = body(response).await["refresh_token"].as_str().unwrap().to_owned();
    let response = app.post_json("/authorizations/refresh/", &json!({"refresh_token": refresh_token})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);

    let (id, text) = app.captcha().await;
    let response = app.get(&format!("/accounts/alice/sms/token/?image_code_id={id}&text={text}")).await;
    assert_no_store(&response);
    let step_token = body(response).await["access_token"].as_str().unwrap().to_owned();
    let already = app.codes_sent_to("13800138000").await.len();
    assert_eq!(app.get(&format!("/sms_codes/?access_token={step_token}")).await.status(), StatusCode::OK);
    let code = app.wait_for_code("13800138000", already).await;
    let response = app.get(&format!("/accounts/alice/password/token/?sms_code={code}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
}
