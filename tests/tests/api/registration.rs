use std::time::Duration;

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, assert_error, body, spawn_app, spawn_app_with};

fn wrong(code: &str) -> String {
    if code == "000000" { "111111".into() } else { "000000".into() }
}

#[tokio::test]
async fn a_wrong_code_is_refused_with_the_tries_left_and_the_right_one_still_works() {
    let app = spawn_app().await;
    let code = app.sms_code("13800138000").await;
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &wrong(&code))).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "code_wrong").await;
    assert_eq!(error["sms_code"][0], "验证码错误，还可尝试4次");
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_used_code_cannot_open_a_second_account() {
    let app = spawn_app().await;
    let code = app.sms_code("13800138000").await;
    let ok = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    let again = app.post_json("/users/", &TestApp::registration("alice2", "13800138000", &code)).await;
    let error = assert_error(again, StatusCode::BAD_REQUEST, "already_taken").await;
    assert!(error.get("mobile").is_some(), "{error}");
}

#[tokio::test]
async fn the_fifth_wrong_code_burns_it() {
    let app = spawn_app().await;
    let code = app.sms_code("13800138000").await;
    for _ in 0..4 {
        let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &wrong(&code))).await;
        assert_error(response, StatusCode::BAD_REQUEST, "code_wrong").await;
    }
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &wrong(&code))).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_exhausted").await;
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = spawn_app_with(|config| config.code_ttl_secs = Duration::from_secs(1)).await;
    let code = app.sms_code("13800138000").await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
    assert_eq!(error["sms_code"][0], "验证码已过期或未发送");
}

#[tokio::test]
async fn a_code_never_sent_is_refused() {
    let app = spawn_app().await;
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", "123456")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
}

#[tokio::test]
async fn mismatched_passwords_are_refused() {
    let app = spawn_app().await;
    let mut form = TestApp::registration("alice", "13800138000", "123456");
    form["password2"] = json!("something-else");
    let error = assert_error(app.post_json("/users/", &form).await, StatusCode::BAD_REQUEST, "password_mismatch").await;
    assert_eq!(error["message"], "两次密码不一致");
    assert_eq!(error["password2"][0], "两次密码不一致");
}

#[tokio::test]
async fn the_agreement_must_be_accepted() {
    let app = spawn_app().await;
    for allow in [json!(null), json!(false), json!("false"), json!("yes")] {
        let mut form = TestApp::registration("alice", "13800138000", "123456");
        form["allow"] = allow;
        let error =
            assert_error(app.post_json("/users/", &form).await, StatusCode::BAD_REQUEST, "agreement_required").await;
        assert_eq!(error["allow"][0], "请勾选用户协议");
    }
    let mut form = TestApp::registration("alice", "13800138000", "123456");
    form.as_object_mut().unwrap().remove("allow");
    assert_error(app.post_json("/users/", &form).await, StatusCode::BAD_REQUEST, "agreement_required").await;
}

#[tokio::test]
async fn every_missing_field_is_reported() {
    let app = spawn_app().await;
    let error =
        assert_error(app.post_json("/users/", &json!({})).await, StatusCode::BAD_REQUEST, "invalid_username").await;
    for field in ["username", "password", "mobile", "sms_code", "allow"] {
        assert!(error.get(field).is_some(), "{field} not reported in {error}");
    }
}

#[tokio::test]
async fn a_taken_username_or_mobile_is_refused_on_its_field() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    let code = app.sms_code("13900139000").await;
    let response = app.post_json("/users/", &TestApp::registration("ALICE", "13900139000", &code)).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "already_taken").await;
    assert_eq!(error["username"][0], "用户名已存在");

    let response = app.post_json("/users/", &TestApp::registration("carol", "13800138000", "123456")).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "already_taken").await;
    assert_eq!(error["mobile"][0], "手机号已被注册");
}

#[tokio::test]
async fn classic_urlencoded_registration_works() {
    let app = spawn_app().await;
    let code = app.sms_code("13800138000").await;
    let response = app
        .client
        .post(app.url("/users/"))
        .form(&[
            ("username", "alice"),
            ("password", "correct-horse"),
            ("password2", "correct-horse"),
            ("mobile", "13800138000"),
            ("sms_code", code.as_str()),
            ("allow", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(body(response).await["username"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_registrations_of_one_username_give_one_account() {
    let app = Arc::new(
        spawn_app_with(|config| {
            config.code_ip_hourly_limit = 0;
            config.availability_ip_per_minute = 0;
        })
        .await,
    );
    app.assert_one_of_concurrent_registrations_wins(20).await;
}

#[tokio::test]
async fn registration_tells_one_client_of_taken_names_no_more_often_than_the_availability_checks() {
    let app = spawn_app().await;
    let limit = bootstrap::Config::default().availability_ip_per_minute;
    app.register("alice", "13800138000").await;
    let count = body(app.get("/usernames/alice/count/").await).await;
    assert_eq!(count["count"], 1);

    // A taken mobile and no right code: only the name's answer could tell anything.
    let mut taken = 0;
    for i in 0..150 {
        let form = TestApp::registration(&format!("prober{i}"), "13800138000", "123456");
        let response = app.post_json("/users/", &form).await;
        let status = response.status();
        let answer = body(response).await;
        match answer["code"].as_str() {
            Some("already_taken") => taken += 1,
            Some("code_expired") => {}
            _ => panic!("{status} {answer}"),
        }
    }
    // The registration and the count check above used two of the minute's checks.
    assert_eq!(taken, limit - 2);
    // The availability endpoint shares the allowance.
    assert_error(app.get("/mobiles/13800138000/count/").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}
