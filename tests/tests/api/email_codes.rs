//! Email codes (`GET /email_codes/{email}/`), registration by email, and the
//! test addresses and numbers with fixed codes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, assert_error, body, spawn_app, spawn_app_with};

fn email_registration(username: &str, email: &str, code: &str) -> serde_json::Value {
    json!({
        "username": username, "password": "correct-horse", "password2": "correct-horse",
        "email": email, "email_code": code, "allow": true
    })
}

async fn purposes_sent_to(app: &TestApp, to: &str) -> Vec<String> {
    let outbox = app.dev_outbox().await;
    outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == to)
        .map(|m| format!("{}:{}", m["channel"].as_str().unwrap(), m["purpose"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_person_registers_with_an_email_and_its_code() {
    let app = spawn_app().await;
    let response = app.get("/email_codes/Erin@Example.com/?send_type=register").await;
    assert_eq!(response.status(), StatusCode::OK);
    let code = app.last_code("erin@example.com").await;
    assert_eq!(purposes_sent_to(&app, "erin@example.com").await, ["email:register"]);

    let response = app.post_json("/users/", &email_registration("erin_1", "Erin@Example.com", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let registered = body(response).await;
    assert_eq!((registered["email"].as_str(), registered["mobile"].as_str()), (Some("erin@example.com"), None));

    let me = app
        .client
        .get(app.url("/user/"))
        .header("Authorization", format!("JWT {}", registered["token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let me = body(me).await;
    assert_eq!((me["email"].as_str(), me["email_active"].as_bool()), (Some("erin@example.com"), Some(true)));
    // The address now logs in too.
    assert_eq!(app.log_in("ERIN@example.com", "correct-horse").await.status(), StatusCode::OK);
    // And the code was consumed.
    let again = app.post_json("/users/", &email_registration("erin_2", "erin@example.com", &code)).await;
    assert_error(again, StatusCode::BAD_REQUEST, "already_taken").await;
}

#[tokio::test]
async fn a_wrong_expired_or_burned_email_code_is_refused_on_email_code() {
    let app = spawn_app_with(|config| config.code_max_attempts = 2).await;
    let code = app.email_code("frank@example.com", "register").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let response = app.post_json("/users/", &email_registration("frank", "frank@example.com", wrong)).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "code_wrong").await;
    assert!(error["email_code"][0].as_str().unwrap().contains('1'), "{error}");
    let response = app.post_json("/users/", &email_registration("frank", "frank@example.com", wrong)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_exhausted").await;
    // Burned: the right code no longer works either.
    let response = app.post_json("/users/", &email_registration("frank", "frank@example.com", &code)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;

    // A code for one purpose does not open another: a find-password code cannot register.
    let response = app.post_json("/users/", &email_registration("gina1", "gina@example.com", "123456")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
}

#[tokio::test]
async fn an_email_code_expires_after_its_validity() {
    let app = spawn_app_with(|config| config.code_ttl_secs = Duration::from_secs(1)).await;
    let code = app.email_code("hana@example.com", "register").await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let response = app.post_json("/users/", &email_registration("hana1", "hana@example.com", &code)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
}

#[tokio::test]
async fn malformed_requests_are_refused_per_field() {
    let app = spawn_app().await;
    let error =
        assert_error(app.get("/email_codes/not-an-email/").await, StatusCode::BAD_REQUEST, "invalid_email").await;
    assert_eq!(error["email"][0], "邮箱格式错误");
    let response = app.get("/email_codes/ivy@example.com/?send_type=activate").await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_choice").await;
    assert!(error.get("send_type").is_some(), "{error}");

    let response = app
        .post_json(
            "/users/",
            &json!({"username": "ivy_1", "password": "correct-horse", "password2": "correct-horse",
            "email": "ivy@", "email_code": "12", "allow": true}),
        )
        .await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_email").await;
    assert!(error.get("email_code").is_some(), "{error}");
}

#[tokio::test]
async fn a_taken_email_cannot_register_again() {
    let app = spawn_app().await;
    let code = app.email_code("jay@example.com", "register").await;
    let response = app.post_json("/users/", &email_registration("jay_1", "jay@example.com", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // The address is checked before the code, so a spent code still tells the person why.
    let response = app.post_json("/users/", &email_registration("jay_2", "Jay@Example.com", &code)).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "already_taken").await;
    assert_eq!(error["email"][0], "邮箱已被注册");
}

#[tokio::test]
async fn email_codes_keep_the_resend_interval_and_let_the_next_one_through() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(1)).await;
    app.email_code("kim@example.com", "register").await;
    let response = app.get("/email_codes/kim@example.com/?send_type=resetpwd").await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry_after, 1);
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(app.get("/email_codes/kim@example.com/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn email_codes_keep_the_daily_cap_per_address() {
    let app = spawn_app_with(|config| {
        config.code_resend_interval_secs = Duration::from_secs(0);
        config.code_daily_limit = 2;
    })
    .await;
    app.email_code("lee@example.com", "register").await;
    app.email_code("lee@example.com", "register").await;
    let response = app.get("/email_codes/lee@example.com/").await;
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another address is not held back.
    app.email_code("lee2@example.com", "register").await;
}

#[tokio::test]
async fn sms_and_email_codes_share_the_hourly_cap_per_client_address() {
    let app = spawn_app_with(|config| config.code_ip_hourly_limit = 2).await;
    app.email_code("mia@example.com", "register").await;
    app.sms_code("13800138005").await;
    let response = app.get("/email_codes/mia2@example.com/").await;
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(app.request_sms_code("13800138006").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_find_password_code_is_mailed_only_to_an_account_s_address_yet_answered_alike() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(1)).await;
    let code = app.email_code("ned@example.com", "register").await;
    let response = app.post_json("/users/", &email_registration("ned_1", "ned@example.com", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    app.email_code("ned@example.com", "resetpwd").await;
    assert_eq!(purposes_sent_to(&app, "ned@example.com").await, ["email:reset_password", "email:register"]);

    let response = app.get("/email_codes/nobody@example.com/?send_type=resetpwd").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"message": "OK"}));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(purposes_sent_to(&app, "nobody@example.com").await.is_empty());
    // The unknown address still used up its resend interval, like a known one would.
    let response = app.get("/email_codes/nobody@example.com/?send_type=resetpwd").await;
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn test_targets_get_fixed_codes_without_messages_or_limits() {
    let app = spawn_app_with(|config| {
        config.sms_test_numbers = "1990000*=246810".into();
        config.email_test_addresses = "QA@Example.com=135790".into();
        config.code_ip_hourly_limit = 1;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.request_sms_code("19900001234").await.status(), StatusCode::OK);
        assert_eq!(app.get("/email_codes/qa@example.com/").await.status(), StatusCode::OK);
    }
    let registered = app.post_json("/users/", &TestApp::registration("tester_1", "19900001234", "246810")).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let registered = app.post_json("/users/", &email_registration("tester_2", "qa@example.com", "135790")).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.dev_outbox().await["messages"].as_array().unwrap().is_empty());

    // Everyone else still gets a random code under the limits.
    app.sms_code("13800138000").await;
    assert_eq!(app.request_sms_code("13800138001").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn malformed_test_target_settings_stop_the_start() {
    let mut config = bootstrap::Config { sms_test_numbers: "1990000*=2468".into(), ..bootstrap::Config::default() };
    assert!(config.sms_fixed_code_targets().is_err());
    config.sms_test_numbers = "+86 199-0000-1234=246810".into();
    let targets = config.sms_fixed_code_targets().unwrap();
    assert_eq!(targets.code_for("19900001234").map(domain::VerificationCode::expose), Some("246810"));
}
