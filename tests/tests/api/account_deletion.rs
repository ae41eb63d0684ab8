//! Deleting one's account over HTTP: the request ends every session, a sign-in
//! within the cooling-off restores the account, and after it the retention job
//! erases the account so that its names register again.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use test_support::fake_wechat::FakeWeChat;

use crate::support::{TestApp, assert_error, body, spawn_app_with};
use crate::wechat_login::spawn_with_wechat;

/// A cooling-off of a second and a retention round every second, so that a
/// deleted account is erased within a few; codes may be sent again at once and
/// names checked without limit.
pub fn quick_erasure_config(config: &mut bootstrap::Config) {
    config.account_deletion_cooling_off_secs = Duration::from_secs(1);
    config.retention_interval_secs = Duration::from_secs(1);
    config.code_resend_interval_secs = Duration::from_secs(0);
    config.availability_ip_per_minute = 0;
}

pub async fn request_deletion(app: &TestApp, token: &str, form: &Value) -> Response {
    app.client.post(app.url("/user/deletion/")).bearer_auth(token).json(form).send().await.unwrap()
}

async fn current_user(app: &TestApp, token: &str) -> Response {
    app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap()
}

async fn mobile_count(app: &TestApp, mobile: &str) -> i64 {
    body(app.get(&format!("/mobiles/{mobile}/count/")).await).await["count"].as_i64().unwrap()
}

/// Waits (up to 15 s) until the retention job has erased the account of `mobile`.
async fn wait_for_erasure(app: &TestApp, mobile: &str) {
    for _ in 0..150 {
        if mobile_count(app, mobile).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the account of {mobile} was not erased within 15 s");
}

/// Registers, asks for deletion (202 with `delete_after`, every token refused
/// at once), waits for the retention job, then registers the same username and
/// mobile again; the old account's token and refresh token stay refused. On an
/// app with [`quick_erasure_config`].
pub async fn assert_a_deleted_account_is_erased_and_its_names_register_again(app: &TestApp) {
    let registered = app.register("leaving", "13800138000").await;
    let token = registered["token"].as_str().unwrap();
    let response = request_deletion(app, token, &json!({"password": "correct-horse"})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let scheduled = body(response).await;
    let delete_after = scheduled["delete_after"].as_str().expect("delete_after");
    assert!(chrono::DateTime::parse_from_rfc3339(delete_after).is_ok(), "{delete_after}");
    assert_error(current_user(app, token).await, StatusCode::UNAUTHORIZED, "token_revoked").await;

    wait_for_erasure(app, "13800138000").await;

    assert_eq!(body(app.get("/usernames/leaving/count/").await).await["count"], 0);
    let again = app.register("leaving", "13800138000").await;
    assert_ne!(again["id"], registered["id"]);
    assert_eq!(current_user(app, token).await.status(), StatusCode::UNAUTHORIZED);
    let refresh = json!({"refresh_token": registered["refresh_token"]});
    assert_eq!(app.post_json("/authorizations/refresh/", &refresh).await.status(), StatusCode::UNAUTHORIZED);
    let fresh = app.register_token_user_reads(&again).await;
    assert_eq!(fresh["username"], "leaving");
}

/// Asks for deletion, signs in within the cooling-off (`restored: true`, then
/// `false`), and outlives a few retention rounds past the original time. On an
/// app with [`quick_erasure_config`].
pub async fn assert_a_sign_in_within_the_cooling_off_restores_the_account(app: &TestApp) {
    let registered = app.register("staying", "13900139000").await;
    let token = registered["token"].as_str().unwrap();
    let response = request_deletion(app, token, &json!({"password": "correct-horse"})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    let first = body(app.log_in("staying", "correct-horse").await).await;
    assert_eq!(first["restored"], true, "{first}");
    let second = body(app.log_in("staying", "correct-horse").await).await;
    assert_eq!(second["restored"], false, "{second}");

    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(mobile_count(app, "13900139000").await, 1, "a restored account is not erased");
    let me = current_user(app, first["token"].as_str().unwrap()).await;
    assert_eq!(me.status(), StatusCode::OK);
}

impl TestApp {
    /// `GET /user/` with the token of a 201 registration body.
    async fn register_token_user_reads(&self, registered: &Value) -> Value {
        let response = current_user(self, registered["token"].as_str().unwrap()).await;
        assert_eq!(response.status(), StatusCode::OK);
        body(response).await
    }
}

#[tokio::test]
async fn a_deleted_account_is_erased_after_the_cooling_off_and_its_names_register_again() {
    let app = spawn_app_with(quick_erasure_config).await;
    assert_a_deleted_account_is_erased_and_its_names_register_again(&app).await;

    // The audit trail keeps the erased account's events under one pseudonym, and nothing names it.
    let database = app.database().await;
    let trail: Vec<(Option<i64>, Option<String>, String)> =
        sqlx::query_as("SELECT user_id, subject, event FROM audit_events ORDER BY id")
            .fetch_all(&database)
            .await
            .unwrap();
    let erased: Vec<_> = trail.iter().filter(|(_, subject, _)| subject.is_some()).collect();
    let events: Vec<&str> = erased.iter().map(|(_, _, event)| event.as_str()).collect();
    assert_eq!(events, ["account_deletion_requested", "account_erased"], "{trail:?}");
    assert!(erased.iter().all(|(user, subject, _)| user.is_none() && subject == &erased[0].1));
    let pseudonym = erased[0].1.as_deref().unwrap();
    assert!(pseudonym.starts_with("erased:") && pseudonym.len() == 39, "{pseudonym}");

    let metrics = app.get("/metrics").await.text().await.unwrap();
    let counted = r#"accounts_http_requests_total{method="POST",route="/user/deletion/",status="202"}"#;
    assert!(metrics.contains(counted), "{metrics}");
}

#[tokio::test]
async fn a_sign_in_within_the_cooling_off_restores_the_account_and_says_so() {
    let app = spawn_app_with(|config| {
        quick_erasure_config(config);
        config.account_deletion_cooling_off_secs = Duration::from_secs(2);
    })
    .await;
    assert_a_sign_in_within_the_cooling_off_restores_the_account(&app).await;
    let restored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE event = 'account_restored'")
        .fetch_one(&app.database().await)
        .await
        .unwrap();
    assert_eq!(restored, 1);
}

#[tokio::test]
async fn a_deletion_asked_for_again_after_a_restore_gets_a_new_time() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    let registered = app.register("leaving", "13800138000").await;
    let first = body(
        request_deletion(&app, registered["token"].as_str().unwrap(), &json!({"password": "correct-horse"})).await,
    )
    .await;
    // The sign-in restores it (the request ended every session, so only a new one can ask again).
    let login = body(app.log_in("leaving", "correct-horse").await).await;
    assert_eq!(login["restored"], true);
    let second =
        body(request_deletion(&app, login["token"].as_str().unwrap(), &json!({"password": "correct-horse"})).await)
            .await;
    assert_ne!(first["delete_after"], second["delete_after"]);
}

#[tokio::test]
async fn a_wrong_or_missing_password_is_refused_on_its_field_and_deletes_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let registered = app.register("careful", "13800138000").await;
    let token = registered["token"].as_str().unwrap();

    let wrong = request_deletion(&app, token, &json!({"password": "not-the-one"})).await;
    let error = assert_error(wrong, StatusCode::BAD_REQUEST, "wrong_password").await;
    assert_eq!(error["password"][0], "密码错误");
    let missing = request_deletion(&app, token, &json!({"sms_code": "123456"})).await;
    let error = assert_error(missing, StatusCode::BAD_REQUEST, "required").await;
    assert!(error["password"].is_array(), "{error}");
    let anonymous = app.post_json("/user/deletion/", &json!({"password": "correct-horse"})).await;
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;

    // Nothing was scheduled and the session lives on.
    assert_eq!(current_user(&app, token).await.status(), StatusCode::OK);
    let login = body(app.log_in("careful", "correct-horse").await).await;
    assert_eq!(login["restored"], false);
}

#[tokio::test]
async fn wrong_passwords_count_toward_the_account_s_login_lock() {
    let app = spawn_app_with(|_| {}).await;
    let registered = app.register("guessed", "13800138000").await;
    let token = registered["token"].as_str().unwrap();
    for _ in 0..5 {
        let response = request_deletion(&app, token, &json!({"password": "wrong-guess"})).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let locked = request_deletion(&app, token, &json!({"password": "correct-horse"})).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    // The same lock holds the login: even the right password is withheld (answered like a wrong one,
    // since this name has not failed itself).
    assert_error(app.log_in("guessed", "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;
}

#[tokio::test]
async fn a_wechat_only_account_confirms_with_a_fresh_sign_in_and_is_restored_by_the_next() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    fake.add_mp_code("js-1", "MP-OPENID", None, "KEY");
    let first = body(app.post_json("/oauth/wechat/miniprogram/", &json!({"code": "js-1"})).await).await;
    assert_eq!((first["created"].as_bool(), first["restored"].as_bool()), (Some(true), Some(false)));
    let token = first["token"].as_str().unwrap();

    // Neither password nor mobile: an empty body and a token minutes old.
    let response = app.client.post(app.url("/user/deletion/")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(current_user(&app, token).await.status(), StatusCode::UNAUTHORIZED);

    fake.add_mp_code("js-2", "MP-OPENID", None, "KEY");
    let back = body(app.post_json("/oauth/wechat/miniprogram/", &json!({"code": "js-2"})).await).await;
    assert_eq!((back["user_id"].clone(), back["restored"].as_bool()), (first["user_id"].clone(), Some(true)));
}

#[tokio::test]
async fn an_account_without_a_password_confirms_with_a_code_sent_to_its_mobile() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    fake.add_mp_code("js-1", "MP-OPENID", None, "KEY");
    let login = body(app.post_json("/oauth/wechat/miniprogram/", &json!({"code": "js-1"})).await).await;
    let token = login["token"].as_str().unwrap();
    fake.add_phone_code("phone-1", "13700137000");
    let bound = app
        .client
        .post(app.url("/oauth/wechat/miniprogram/phone/"))
        .bearer_auth(token)
        .json(&json!({"code": "phone-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bound.status(), StatusCode::OK);

    let missing = request_deletion(&app, token, &json!({})).await;
    let error = assert_error(missing, StatusCode::BAD_REQUEST, "required").await;
    assert!(error["sms_code"].is_array(), "{error}");
    let code = app.sms_code("13700137000").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = assert_error(
        request_deletion(&app, token, &json!({"sms_code": wrong})).await,
        StatusCode::BAD_REQUEST,
        "code_wrong",
    )
    .await;
    assert!(error["sms_code"].is_array(), "{error}");
    let response = request_deletion(&app, token, &json!({"sms_code": code})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(current_user(&app, token).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_code_pending_for_an_erased_account_s_mobile_goes_with_it() {
    let app = spawn_app_with(quick_erasure_config).await;
    let registered = app.register("leaving", "13800138000").await;
    // A code asked for the mobile before the deletion, still valid when the account is erased.
    let pending = app.sms_code("13800138000").await;
    let token = registered["token"].as_str().unwrap();
    let response = request_deletion(&app, token, &json!({"password": "correct-horse"})).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    wait_for_erasure(&app, "13800138000").await;

    let form = TestApp::registration("arriving", "13800138000", &pending);
    let refused = app.post_json("/users/", &form).await;
    assert_error(refused, StatusCode::BAD_REQUEST, "code_expired").await;
    // A new code for the now free mobile registers it.
    let fresh = app.sms_code("13800138000").await;
    let form = TestApp::registration("arriving", "13800138000", &fresh);
    assert_eq!(app.post_json("/users/", &form).await.status(), StatusCode::CREATED);
}
