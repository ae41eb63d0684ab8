//! When `/dev/outbox/` exists and whom it answers, and what the logs keep
//! of mobiles, addresses and codes while it is off.

use std::time::Duration;

use reqwest::StatusCode;
use test_support::captured_logs::CapturedLogs;
use test_support::fake_tencent_sms::FakeTencentSms;

use crate::real_providers::with_tencent;
use crate::support::{TestApp, assert_error, spawn_app, spawn_app_with};

async fn assert_outbox_gone(app: &TestApp) {
    for path in ["/dev/outbox/", "/dev/outbox"] {
        assert_error(app.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }
}

/// Draws a captcha and says whether its answer shows up anywhere over HTTP.
async fn captcha_answer_is_readable(app: &TestApp) -> bool {
    let id = uuid::Uuid::new_v4().to_string();
    assert_eq!(app.get(&format!("/image_codes/{id}/")).await.status(), StatusCode::OK);
    let response = app.get("/dev/outbox/").await;
    response.status() == StatusCode::OK && response.text().await.expect("body").contains(&id)
}

#[tokio::test]
async fn a_request_a_proxy_forwarded_never_sees_the_outbox_even_from_loopback() {
    let app = spawn_app().await;
    assert!(captcha_answer_is_readable(&app).await);
    for (header, value) in
        [("x-forwarded-for", "203.0.113.7"), ("forwarded", "for=203.0.113.7"), ("x-real-ip", "203.0.113.7")]
    {
        let response = app.client.get(app.url("/dev/outbox/")).header(header, value).send().await.expect("request");
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn with_trusted_proxies_the_outbox_is_off_and_captcha_answers_are_kept_nowhere() {
    let app = spawn_app_with(|config| config.trusted_proxies = "10.0.0.0/8".parse().unwrap()).await;
    assert!(!captcha_answer_is_readable(&app).await);
    assert_outbox_gone(&app).await;

    let forced = spawn_app_with(|config| {
        config.trusted_proxies = "10.0.0.0/8".parse().unwrap();
        config.dev_outbox = Some(true);
    })
    .await;
    assert!(!captcha_answer_is_readable(&forced).await, "DEV_OUTBOX=true does not override TRUSTED_PROXIES");
    assert_outbox_gone(&forced).await;
}

#[tokio::test]
async fn with_one_real_channel_the_outbox_is_off_unless_dev_outbox_is_true() {
    let fake = FakeTencentSms::start().await;
    let app = spawn_app_with(|config| with_tencent(config, &fake)).await;
    assert!(!captcha_answer_is_readable(&app).await);
    assert_outbox_gone(&app).await;

    let forced = spawn_app_with(|config| {
        with_tencent(config, &fake);
        config.dev_outbox = Some(true);
    })
    .await;
    assert!(captcha_answer_is_readable(&forced).await);
}

#[tokio::test]
async fn dev_outbox_false_turns_it_off_in_full_development_mode() {
    let app = spawn_app_with(|config| config.dev_outbox = Some(false)).await;
    assert!(!captcha_answer_is_readable(&app).await);
    assert_outbox_gone(&app).await;
}

/// A current-thread runtime, so the server's tasks (the request log, the
/// outbox worker and the development sender) all log on the captured thread.
#[tokio::test(flavor = "current_thread")]
async fn with_the_outbox_off_no_mobile_address_or_code_reaches_the_log() {
    let fake = FakeTencentSms::start().await;
    let (logs, _guard) = CapturedLogs::start();
    let app = spawn_app_with(|config| {
        with_tencent(config, &fake);
        config.outbox_poll_ms = Duration::from_millis(20);
    })
    .await;

    assert_eq!(app.get("/mobiles/13800138000/count/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/emails/victim@example.com/count/").await.status(), StatusCode::OK);
    let wrong_captcha = format!("/sms_codes/13800138000/?image_code_id={}&text=ABCD", uuid::Uuid::new_v4());
    assert_eq!(app.get(&wrong_captcha).await.status(), StatusCode::BAD_REQUEST);
    // Mail is still on the development adapter: the code is "delivered" there.
    assert_eq!(app.get("/email_codes/victim%40example.com/?send_type=register").await.status(), StatusCode::OK);
    let database = app.database().await;
    let mut status = String::new();
    for _ in 0..400 {
        status = sqlx::query_scalar("SELECT status FROM outbox_messages WHERE recipient = 'victim@example.com'")
            .fetch_optional(&database)
            .await
            .expect("read the outbox")
            .unwrap_or_default();
        if status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(status, "sent", "the development adapter did not deliver the mail");
    let text = logs.text();
    assert!(text.contains("/mobiles/138****8000/count/"), "{text}");
    assert!(text.contains("/emails/v***@example.com/count/"), "{text}");
    for secret in ["13800138000", "victim@example.com", "victim%40example.com", "code=", "link=", "ABCD"] {
        assert!(!text.contains(secret), "{secret:?} was logged:\n{text}");
    }
    assert!(text.contains("development message delivered"), "{text}");
    assert!(text.contains("to=v***@example.com"), "{text}");
}

/// The message to `to` in the outbox, as the outbox shows it.
async fn outbox_message_to(app: &TestApp, to: &str) -> Option<serde_json::Value> {
    let outbox = app.dev_outbox().await;
    outbox["messages"].as_array().and_then(|messages| messages.iter().find(|m| m["to"] == to).cloned())
}

#[tokio::test]
async fn a_message_shows_with_its_code_as_soon_as_its_request_answered_and_stays_once_sent() {
    let app = spawn_app_with(|config| config.code_ip_hourly_limit = 0).await;
    for i in 0..40 {
        let to = format!("reader{i}@example.com");
        let response = app.get(&format!("/email_codes/{to}/")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let message = outbox_message_to(&app, &to).await.unwrap_or_else(|| panic!("message {i} is not shown yet"));
        assert_eq!(message["code"].as_str().map(str::len), Some(6), "{message}");
        assert!(["queued", "sent"].contains(&message["status"].as_str().unwrap_or_default()), "{message}");
    }
    // Once delivered, the row's code is wiped; the outbox still shows it.
    for _ in 0..200 {
        let message = outbox_message_to(&app, "reader0@example.com").await.expect("still shown");
        if message["status"] == "sent" {
            assert_eq!(message["code"].as_str().map(str::len), Some(6), "{message}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the first message was never delivered");
}
