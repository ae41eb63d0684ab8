use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{TestApp, assert_error, body, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_wrong_captcha_is_refused_and_the_captcha_is_spent() {
    let app = spawn_app().await;
    let (id, text) = app.captcha().await;
    let wrong = if text == "AAAA" { "BBBB" } else { "AAAA" };
    let response = app.get(&format!("/sms_codes/13800138000/?image_code_id={id}&text={wrong}")).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "captcha_wrong").await;
    assert_eq!(error["message"], "图片验证码错误或已过期");
    assert_eq!(error["text"][0], "图片验证码错误或已过期");
    // The right answer no longer helps: one guess per picture.
    let response = app.get(&format!("/sms_codes/13800138000/?image_code_id={id}&text={text}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "captcha_wrong").await;
}

#[tokio::test]
async fn an_unknown_or_expired_captcha_is_refused() {
    let app = spawn_app_with(|config| config.captcha_ttl_secs = Duration::from_secs(1)).await;
    let unknown = uuid::Uuid::new_v4();
    let response = app.get(&format!("/sms_codes/13800138000/?image_code_id={unknown}&text=ABCD")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "captcha_wrong").await;

    let (id, text) = app.captcha().await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let response = app.get(&format!("/sms_codes/13800138000/?image_code_id={id}&text={text}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "captcha_wrong").await;
}

#[tokio::test]
async fn malformed_inputs_are_refused_per_field() {
    let app = spawn_app().await;
    assert_error(app.get("/image_codes/not-a-uuid/").await, StatusCode::BAD_REQUEST, "invalid_captcha").await;

    let (id, text) = app.captcha().await;
    let response = app.get(&format!("/sms_codes/12345/?image_code_id={id}&text={text}")).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_mobile").await;
    assert_eq!(error["mobile"][0], "手机号格式错误");

    let response = app.get("/sms_codes/13800138000/").await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_captcha").await;
    assert!(error.get("image_code_id").is_some() && error.get("text").is_some(), "{error}");
}

#[tokio::test]
async fn a_second_code_within_60_seconds_is_refused_with_retry_after() {
    let app = spawn_app().await;
    app.sms_code("13800138000").await;
    let response = app.request_sms_code("+86 13800138000").await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((55..=60).contains(&retry_after), "{retry_after}");
    let error = assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(error["retry_after"], retry_after);
    // Another mobile is not held back.
    app.sms_code("13900139000").await;
}

#[tokio::test]
async fn the_next_code_is_let_through_once_the_interval_has_passed() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(1)).await;
    app.sms_code("13800138000").await;
    assert_eq!(app.request_sms_code("13800138000").await.status(), StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(app.request_sms_code("13800138000").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_daily_cap_per_mobile_holds() {
    let app = spawn_app_with(|config| {
        config.code_resend_interval_secs = Duration::from_secs(0);
        config.code_daily_limit = 2;
    })
    .await;
    app.sms_code("13800138000").await;
    app.sms_code("13800138000").await;
    let response = app.request_sms_code("13800138000").await;
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The cap is per mobile: the next mobile is let through.
    app.sms_code("13900139000").await;
}

#[tokio::test]
async fn the_hourly_cap_per_client_address_holds() {
    let app = spawn_app_with(|config| config.code_ip_hourly_limit = 2).await;
    app.sms_code("13800138001").await;
    app.sms_code("13800138002").await;
    let response = app.request_sms_code("13800138003").await;
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// `GET /email_codes/{email}/` from `client`, as a trusted proxy in front of the service reports it.
/// (Email codes need no captcha, whose answer the development outbox no longer
/// shows once `TRUSTED_PROXIES` is set; the hourly cap counts SMS and email together.)
async fn email_code_from(app: &TestApp, email: &str, client: &str) -> StatusCode {
    app.client
        .get(app.url(&format!("/email_codes/{email}/?send_type=register")))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_hourly_cap_holds_per_client_and_lets_another_client_through() {
    let app = spawn_app_with(|config| {
        config.code_ip_hourly_limit = 1;
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    assert_eq!(email_code_from(&app, "one@example.com", "198.51.100.1").await, StatusCode::OK);
    assert_eq!(email_code_from(&app, "two@example.com", "198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(email_code_from(&app, "two@example.com", "203.0.113.5").await, StatusCode::OK);
}

#[tokio::test]
async fn a_burned_code_is_replaced_by_the_next_one_which_works() {
    let app = spawn_app_with(|config| {
        config.code_max_attempts = 5;
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await;
    let code = app.sms_code("13800138000").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for attempt in 1..=5 {
        let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", wrong)).await;
        let expected = if attempt < 5 { "code_wrong" } else { "code_exhausted" };
        assert_error(response, StatusCode::BAD_REQUEST, expected).await;
    }
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
    let fresh = app.sms_code("13800138000").await;
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &fresh)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn availability_checks_answer_and_are_rationed_per_address() {
    let app = spawn_app_with(|config| config.availability_ip_per_minute = 3).await;
    assert_eq!(body(app.get("/emails/Bob@Example.com/count/").await).await["email"], "bob@example.com");
    assert_eq!(body(app.get("/mobiles/+8613800138000/count/").await).await["mobile"], "13800138000");
    assert_error(app.get("/usernames/1234567/count/").await, StatusCode::BAD_REQUEST, "invalid_username").await;
    assert_error(app.get("/emails/nope/count/").await, StatusCode::BAD_REQUEST, "invalid_email").await;
    assert_eq!(app.get("/usernames/carol/count/").await.status(), StatusCode::OK);
    let response = app.get("/usernames/dave1/count/").await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}
