//! Find password, the four classic steps, over HTTP.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, body, spawn_app_with};

/// Step 1 with a freshly solved captcha.
async fn start(app: &TestApp, account: &str) -> reqwest::Response {
    let (id, text) = app.captcha().await;
    app.get(&format!("/accounts/{account}/sms/token/?image_code_id={id}&text={text}")).await
}

async fn step_one_token(app: &TestApp, account: &str) -> String {
    let response = start(app, account).await;
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await["access_token"].as_str().unwrap().to_owned()
}

/// Steps 1–3 for `account` whose mobile is `mobile`; returns step 3's answer.
async fn through_step_three(app: &TestApp, account: &str, mobile: &str) -> Value {
    let token = step_one_token(app, account).await;
    let already = app.codes_sent_to(mobile).await.len();
    let response = app.get(&format!("/sms_codes/?access_token={token}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", body(response).await);
    let code = app.wait_for_code(mobile, already).await;
    let response = app.get(&format!("/accounts/{account}/password/token/?sms_code={code}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await
}

/// Registering sends a code to the mobile, and the 60 s resend interval holds
/// across purposes; these tests send the reset code right after.
async fn spawn_app() -> TestApp {
    spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await
}

fn new_password(token: &str) -> Value {
    json!({"password": "battery-staple", "password2": "battery-staple", "access_token": token})
}

#[tokio::test]
async fn a_person_recovers_a_forgotten_password_by_sms() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let old_token = registered["token"].as_str().unwrap().to_owned();
    let old_refresh = registered["refresh_token"].as_str().unwrap().to_owned();

    let response = start(&app, "alice").await;
    assert_eq!(response.status(), StatusCode::OK);
    let started = body(response).await;
    assert_eq!(started["mobile"], "138****8000");

    let already = app.codes_sent_to("13800138000").await.len();
    let response = app.get(&format!("/sms_codes/?access_token={}", started["access_token"].as_str().unwrap())).await;
    assert_eq!(body(response).await, json!({"message": "OK"}));
    let code = app.wait_for_code("13800138000", already).await;
    let outbox = app.dev_outbox().await;
    assert_eq!(outbox["messages"][0]["purpose"], "reset_password");

    let response = app.get(&format!("/accounts/13800138000/password/token/?sms_code={code}")).await;
    let confirmed = body(response).await;
    let user_id = confirmed["user_id"].as_i64().unwrap();
    assert_eq!(user_id, registered["id"].as_i64().unwrap());

    let path = format!("/users/{user_id}/password/");
    let response = app.post_json(&path, &new_password(confirmed["access_token"].as_str().unwrap())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"id": user_id}));

    // The new password works, the old one does not, and every earlier session has ended.
    assert_eq!(app.log_in("alice", "battery-staple").await.status(), StatusCode::OK);
    assert_error(app.log_in("alice", "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;
    let me = app.client.get(app.url("/user/")).bearer_auth(&old_token).send().await.unwrap();
    assert_error(me, StatusCode::UNAUTHORIZED, "token_revoked").await;
    let refresh = app.post_json("/authorizations/refresh/", &json!({"refresh_token": old_refresh})).await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);

    let database = app.database().await;
    let events: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, event FROM audit_events WHERE event = 'password_reset'")
            .fetch_all(&database)
            .await
            .unwrap();
    assert_eq!(events, [(user_id, "password_reset".to_owned())]);
}

#[tokio::test]
async fn step_one_refuses_unknown_accounts_and_wrong_captchas() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    assert_error(start(&app, "nobody").await, StatusCode::NOT_FOUND, "not_found").await;

    let (id, text) = app.captcha().await;
    let wrong = if text == "AAAA" { "BBBB" } else { "AAAA" };
    let response = app.get(&format!("/accounts/alice/sms/token/?image_code_id={id}&text={wrong}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "captcha_wrong").await;
    // Spent: the right answer no longer helps.
    let response = app.get(&format!("/accounts/alice/sms/token/?image_code_id={id}&text={text}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "captcha_wrong").await;
    assert_error(app.get("/accounts/alice/sms/token/").await, StatusCode::BAD_REQUEST, "invalid_captcha").await;
}

#[tokio::test]
async fn an_email_only_account_has_no_mobile_for_sms_recovery() {
    let app = spawn_app().await;
    let code = app.email_code("olga@example.com", "register").await;
    let form = json!({"username": "olga_1", "password": "correct-horse", "password2": "correct-horse",
        "email": "olga@example.com", "email_code": code, "allow": true});
    assert_eq!(app.post_json("/users/", &form).await.status(), StatusCode::CREATED);
    assert_error(start(&app, "olga_1").await, StatusCode::BAD_REQUEST, "no_mobile").await;
}

#[tokio::test]
async fn each_step_token_is_single_use_and_opens_only_its_own_step() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let user_id = registered["id"].as_i64().unwrap();

    let step_one = step_one_token(&app, "alice").await;
    // A step-1 token does not set a password.
    let response = app.post_json(&format!("/users/{user_id}/password/"), &new_password(&step_one)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
    assert_eq!(app.get(&format!("/sms_codes/?access_token={step_one}")).await.status(), StatusCode::OK);
    let response = app.get(&format!("/sms_codes/?access_token={step_one}")).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
    assert_eq!(error["access_token"][0], "无效的access_token，请重新开始");

    let confirmed = through_step_three(&app, "alice", "13800138000").await;
    let step_three = confirmed["access_token"].as_str().unwrap();
    // A step-3 token does not send codes, nor does an access token or garbage.
    for token in [step_three, registered["token"].as_str().unwrap(), "garbage", ""] {
        let response = app.get(&format!("/sms_codes/?access_token={token}")).await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
    }
    // It sets the password of its own user only, and only once.
    let response = app.post_json(&format!("/users/{}/password/", user_id + 1), &new_password(step_three)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
    let path = format!("/users/{user_id}/password/");
    assert_eq!(app.post_json(&path, &new_password(step_three)).await.status(), StatusCode::OK);
    assert_error(
        app.post_json(&path, &new_password(step_three)).await,
        StatusCode::BAD_REQUEST,
        "invalid_access_token",
    )
    .await;
}

#[tokio::test]
async fn a_reset_voids_every_earlier_step_token_of_the_user() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let user_id = registered["id"].as_i64().unwrap();
    let unused_step_one = step_one_token(&app, "alice").await;
    let first = through_step_three(&app, "alice", "13800138000").await;
    let second = through_step_three(&app, "alice", "13800138000").await;

    let path = format!("/users/{user_id}/password/");
    assert_eq!(
        app.post_json(&path, &new_password(second["access_token"].as_str().unwrap())).await.status(),
        StatusCode::OK
    );
    let response = app.post_json(&path, &new_password(first["access_token"].as_str().unwrap())).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
    let response = app.get(&format!("/sms_codes/?access_token={unused_step_one}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
}

#[tokio::test]
async fn step_tokens_expire() {
    let app = spawn_app_with(|config| config.password_reset_token_ttl_secs = Duration::from_secs(1)).await;
    app.register("alice", "13800138000").await;
    let token = step_one_token(&app, "alice").await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let response = app.get(&format!("/sms_codes/?access_token={token}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
}

#[tokio::test]
async fn step_three_refuses_wrong_codes_and_does_not_reveal_accounts() {
    let app = spawn_app_with(|config| {
        config.code_max_attempts = 2;
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await;
    app.register("alice", "13800138000").await;
    let token = step_one_token(&app, "alice").await;
    let already = app.codes_sent_to("13800138000").await.len();
    app.get(&format!("/sms_codes/?access_token={token}")).await;
    let code = app.wait_for_code("13800138000", already).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    let response = app.get(&format!("/accounts/alice/password/token/?sms_code={wrong}")).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "code_wrong").await;
    assert!(error.get("sms_code").is_some(), "{error}");
    let response = app.get(&format!("/accounts/alice/password/token/?sms_code={wrong}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_exhausted").await;
    let response = app.get(&format!("/accounts/alice/password/token/?sms_code={code}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;

    // The registration code of a mobile is no find-password code, and an unknown account looks the same.
    let response = app.get("/accounts/nobody/password/token/?sms_code=123456").await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
    let response = app.get("/accounts/alice/password/token/?sms_code=12").await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_code").await;
}

#[tokio::test]
async fn step_four_checks_the_new_password_before_spending_the_token() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let user_id = registered["id"].as_i64().unwrap();
    let confirmed = through_step_three(&app, "alice", "13800138000").await;
    let token = confirmed["access_token"].as_str().unwrap();
    let path = format!("/users/{user_id}/password/");

    let response = app
        .post_json(&path, &json!({"password": "battery-staple", "password2": "other-staple", "access_token": token}))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "password_mismatch").await;
    let response =
        app.post_json(&path, &json!({"password": "short", "password2": "short", "access_token": token})).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_password").await;
    // Still usable after those mistakes, and the form encoding works too.
    let response = app
        .client
        .post(app.url(&path))
        .form(&[("password", "battery-staple"), ("password2", "battery-staple"), ("access_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_error(app.post_json("/users/abc/password/", &new_password(token)).await, StatusCode::NOT_FOUND, "not_found")
        .await;
}

#[tokio::test]
async fn a_reset_lifts_the_login_lock_of_the_account() {
    let app = spawn_app_with(|config| {
        config.login_account_failures = 2;
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await;
    let registered = app.register("alice", "13800138000").await;
    for _ in 0..2 {
        app.log_in("alice", "wrong-password").await;
    }
    assert_eq!(app.log_in("alice", "correct-horse").await.status(), StatusCode::TOO_MANY_REQUESTS);
    let confirmed = through_step_three(&app, "alice", "13800138000").await;
    let path = format!("/users/{}/password/", registered["id"]);
    let response = app.post_json(&path, &new_password(confirmed["access_token"].as_str().unwrap())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.log_in("alice", "battery-staple").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_email_account_recovers_with_an_email_code() {
    let app = spawn_app().await;
    let code = app.email_code("pia@example.com", "register").await;
    let form = json!({"username": "pia_1", "password": "correct-horse", "password2": "correct-horse",
        "email": "pia@example.com", "email_code": code, "allow": true});
    let registered = body(app.post_json("/users/", &form).await).await;

    let code = app.email_code("pia@example.com", "resetpwd").await;
    let response = app.get(&format!("/accounts/Pia@Example.com/password/token/?email_code={code}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let confirmed = body(response).await;
    assert_eq!(confirmed["user_id"], registered["id"]);
    let path = format!("/users/{}/password/", registered["id"]);
    let response = app.post_json(&path, &new_password(confirmed["access_token"].as_str().unwrap())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.log_in("pia@example.com", "battery-staple").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_reset_code_keeps_the_resend_interval_of_the_mobile() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(1)).await;
    app.register("alice", "13800138000").await;
    let token = step_one_token(&app, "alice").await;
    let response = app.get(&format!("/sms_codes/?access_token={token}")).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // The refused request did not spend its token: the same one goes through
    // once the interval is over, without a second captcha, and only then is it spent.
    assert_eq!(app.get(&format!("/sms_codes/?access_token={token}")).await.status(), StatusCode::OK);
    let response = app.get(&format!("/sms_codes/?access_token={token}")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_simultaneous_uses_of_one_step_token_let_exactly_one_through() {
    assert_simultaneous_uses_of_one_step_token_let_exactly_one_through(&spawn_app().await).await;
}

/// Exactly one of simultaneous uses of one step token succeeds; every other is
/// refused as a spent token: 400 `invalid_access_token`.
async fn assert_one_use_won(responses: Vec<reqwest::Response>) {
    let mut answers = Vec::new();
    for response in responses {
        answers.push((response.status(), body(response).await));
    }
    let won = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
    assert_eq!(won, 1, "{answers:?}");
    for (status, answer) in answers.iter().filter(|(status, _)| *status != StatusCode::OK) {
        assert_eq!(
            (*status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_access_token")),
            "{answer}"
        );
    }
}

/// Eight simultaneous uses of one step-1 token, then of one step-3 token: one
/// succeeds each time, the others are refused. Needs no resend interval.
pub async fn assert_simultaneous_uses_of_one_step_token_let_exactly_one_through(app: &TestApp) {
    let registered = app.register("alice", "13800138000").await;
    let user_id = registered["id"].as_i64().unwrap();

    let step_one = step_one_token(app, "alice").await;
    let path = format!("/sms_codes/?access_token={step_one}");
    assert_one_use_won(futures::future::join_all((0..8).map(|_| app.get(&path))).await).await;

    let confirmed = through_step_three(app, "alice", "13800138000").await;
    let step_three = confirmed["access_token"].as_str().unwrap();
    let path = format!("/users/{user_id}/password/");
    let forms: Vec<Value> = (0..8)
        .map(|i| {
            json!({"password": format!("battery-staple-{i}"), "password2": format!("battery-staple-{i}"),
            "access_token": step_three})
        })
        .collect();
    assert_one_use_won(futures::future::join_all(forms.iter().map(|form| app.post_json(&path, form))).await).await;
}
