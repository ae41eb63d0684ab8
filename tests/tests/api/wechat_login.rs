//! WeChat mini-program login over HTTP against the fake WeChat API.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use test_support::fake_wechat::{self, Endpoint, FakeWeChat};

use crate::support::{TestApp, assert_error, assert_no_store, body, spawn_app_with};

pub(crate) async fn spawn_with_wechat(fake: &FakeWeChat) -> TestApp {
    let base = fake.base_url();
    spawn_app_with(move |config| {
        config.wechat_mp_appid = Some(fake_wechat::MP_APP_ID.into());
        config.wechat_mp_secret = Some(fake_wechat::MP_SECRET.into());
        config.wechat_api_base = base;
        config.wechat_timeout_secs = Duration::from_secs(2);
    })
    .await
}

async fn log_in(app: &TestApp, form: &Value) -> reqwest::Response {
    app.post_json("/oauth/wechat/miniprogram/", form).await
}

#[tokio::test]
async fn a_new_mini_program_user_gets_an_account_and_comes_back_to_it() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    fake.add_mp_code("js-1", "MP-OPENID", None, "SECRET-SESSION-KEY");
    let response =
        log_in(&app, &json!({"code": "js-1", "nickname": "小明", "avatar": "https://thirdwx.qlogo.cn/a.png"})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(!text.contains("SECRET-SESSION-KEY"), "the session_key left the server: {text}");
    let first: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((first["created"].as_bool(), first["nickname"].as_str()), (Some(true), Some("小明")));
    let username = first["username"].as_str().unwrap();
    assert!(username.starts_with("wx_") && username.len() == 13, "{username}");

    let me =
        body(app.client.get(app.url("/user/")).bearer_auth(first["token"].as_str().unwrap()).send().await.unwrap())
            .await;
    assert_eq!((me["avatar"].as_str(), me["mobile"].clone()), (Some("https://thirdwx.qlogo.cn/a.png"), Value::Null));
    // No password was set: password login fails like a wrong password.
    assert_error(app.log_in(username, "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;

    fake.add_mp_code("js-2", "MP-OPENID", None, "ROTATED-KEY");
    let again = body(log_in(&app, &json!({"code": "js-2"})).await).await;
    assert_eq!((again["created"].as_bool(), again["user_id"].clone()), (Some(false), first["user_id"].clone()));
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT provider, openid FROM oauth_identities").fetch_all(&app.database().await).await.unwrap();
    assert_eq!(rows, [("wechat_mp".to_owned(), "MP-OPENID".to_owned())]);
}

#[tokio::test]
async fn a_mini_program_login_says_no_store() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    fake.add_mp_code("js-1", "MP-OPENID", None, "SESSION-KEY");
    let response = log_in(&app, &json!({"code": "js-1"})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
}

#[tokio::test]
async fn every_wechat_errcode_maps_to_its_answer() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    // 40029: a code WeChat never issued.
    assert_error(log_in(&app, &json!({"code": "unknown"})).await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    // 40163: a code used already.
    fake.add_mp_code("js-1", "MP-OPENID", None, "KEY");
    assert_eq!(log_in(&app, &json!({"code": "js-1"})).await.status(), StatusCode::OK);
    assert_error(log_in(&app, &json!({"code": "js-1"})).await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    // 45011: WeChat's rate limit.
    fake.add_mp_code("js-2", "MP-OPENID", None, "KEY");
    fake.fail_next(Endpoint::CodeToSession, 45011, 1);
    let response = log_in(&app, &json!({"code": "js-2"})).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // 40226: a high-risk user WeChat blocks.
    fake.fail_next(Endpoint::CodeToSession, 40226, 1);
    assert_error(log_in(&app, &json!({"code": "js-2"})).await, StatusCode::FORBIDDEN, "forbidden").await;
    // -1 (busy) is retried with backoff, and the login goes through.
    fake.fail_next(Endpoint::CodeToSession, -1, 2);
    assert_eq!(log_in(&app, &json!({"code": "js-2"})).await.status(), StatusCode::OK);
    // Anything else is WeChat's failure, with its errcode.
    fake.add_mp_code("js-3", "MP-OPENID", None, "KEY");
    fake.fail_next(Endpoint::CodeToSession, 40013, 1);
    let error =
        assert_error(log_in(&app, &json!({"code": "js-3"})).await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
    assert_eq!(error["provider_code"], 40013);
    // Bad input never reaches WeChat.
    let before = fake.requests_to(Endpoint::CodeToSession).len();
    let response = log_in(&app, &json!({"code": "js-3", "avatar": "javascript:alert(1)"})).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_profile").await;
    assert_error(log_in(&app, &json!({})).await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    assert_eq!(fake.requests_to(Endpoint::CodeToSession).len(), before);
}

#[tokio::test]
async fn a_mini_program_account_cannot_drop_its_only_way_to_log_in() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    fake.add_mp_code("js-1", "MP-OPENID", None, "KEY");
    let token = body(log_in(&app, &json!({"code": "js-1"})).await).await["token"].as_str().unwrap().to_owned();
    let listed = body(app.client.get(app.url("/user/oauth/")).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["provider"], "wechat_mp");
    assert!(listed[0]["bound_at"].is_string());

    let response = app.client.delete(app.url("/user/oauth/wechat_mp/")).bearer_auth(&token).send().await.unwrap();
    assert_error(response, StatusCode::CONFLICT, "last_login_method").await;
    let response = app.client.delete(app.url("/user/oauth/weibo/")).bearer_auth(&token).send().await.unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = app.client.delete(app.url("/user/oauth/qq/")).bearer_auth(&token).send().await.unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.get("/user/oauth/").await, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}

async fn post_phone(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    app.client
        .post(app.url("/oauth/wechat/miniprogram/phone/"))
        .bearer_auth(token)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mini_program_user_binds_the_phone_of_the_button_unless_another_account_has_it() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake).await;
    app.register("alice", "13800138000").await;
    fake.add_mp_code("js-1", "MP-OPENID", None, "KEY");
    let token = body(log_in(&app, &json!({"code": "js-1"})).await).await["token"].as_str().unwrap().to_owned();

    fake.add_phone_code("phone-1", "13800138000");
    let error = assert_error(post_phone(&app, &token, "phone-1").await, StatusCode::CONFLICT, "already_taken").await;
    assert_eq!(error["mobile"][0], "手机号已被注册");

    fake.add_phone_code("phone-2", "13700137000");
    let response = post_phone(&app, &token, "phone-2").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await["mobile"], "13700137000");
    // The phone's SMS login path now finds this account.
    assert_eq!(body(app.get("/mobiles/13700137000/count/").await).await["count"], 1);
    // The app access token was fetched once for both calls.
    assert_eq!(fake.app_tokens_issued(), 1);

    assert_error(post_phone(&app, &token, "phone-2").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    let response =
        app.client.post(app.url("/oauth/wechat/miniprogram/phone/")).json(&json!({"code": "x"})).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}
