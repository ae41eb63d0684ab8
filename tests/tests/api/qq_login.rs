//! QQ login over HTTP against the fake QQ Connect server: authorization URL →
//! callback (bound and unbound) → binding to a new or an existing account →
//! logging in again by QQ; and every QQ error answer mapped to a clear body.

use acceptance_tests::fake_qq::{self, Endpoint, FakeQq, Misbehaviour, TokenFate};
use bootstrap::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, body, spawn_app_with};

async fn spawn_with_qq(fake: &FakeQq, configure: impl FnOnce(&mut Config)) -> TestApp {
    let base = fake.base_url();
    spawn_app_with(move |config| {
        config.qq_client_id = Some(fake_qq::CLIENT_ID.into());
        config.qq_client_secret = Some(fake_qq::CLIENT_SECRET.into());
        config.qq_redirect_uri = Some(fake_qq::REDIRECT_URI.into());
        config.qq_api_base = base;
        config.qq_timeout_secs = 1;
        config.code_resend_interval_secs = 0;
        configure(config);
    })
    .await
}

async fn authorize(app: &TestApp, next: &str) -> (String, String) {
    let (url, state) = app.oauth_authorize("qq", next).await;
    (url.to_string(), state)
}

async fn callback(app: &TestApp, code: &str, state: Option<&str>) -> reqwest::Response {
    app.oauth_callback("qq", code, state).await
}

async fn bind(app: &TestApp, mobile: &str, password: &str, access_token: &str) -> reqwest::Response {
    app.oauth_bind("qq", mobile, password, access_token).await
}

async fn me(app: &TestApp, token: &str) -> Value {
    body(app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap()).await
}

#[tokio::test]
async fn a_first_qq_login_binds_a_new_account_and_the_next_login_goes_straight_in() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let (url, state) = authorize(&app, "/user_center_info.html").await;
    assert!(url.starts_with(&format!("{}/oauth2.0/authorize?", fake.base_url())), "{url}");
    assert!(url.contains("client_id=101474184") && url.contains("scope=get_user_info"), "{url}");

    fake.add_code("code-1", "OPENID-NEW", Some("UNIONID-NEW"));
    let response = callback(&app, "code-1", Some(&state)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let unbound = body(response).await;
    assert_eq!(unbound["next"], "/user_center_info.html");
    assert!(unbound.get("token").is_none(), "{unbound}");
    let access_token = unbound["access_token"].as_str().unwrap();

    let response = bind(&app, "13700137000", "correct-horse", access_token).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let bound = body(response).await;
    assert_eq!((bound["username"].as_str(), bound["id"].clone()), (Some("13700137000"), bound["user_id"].clone()));
    assert_eq!(me(&app, bound["token"].as_str().unwrap()).await["mobile"], "13700137000");
    // The new account's password is the one given at binding.
    assert_eq!(app.log_in("13700137000", "correct-horse").await.status(), StatusCode::OK);

    // Next time QQ logs the person straight in.
    let (_, state) = authorize(&app, "/cart.html").await;
    fake.add_code("code-2", "OPENID-NEW", Some("UNIONID-NEW"));
    let logged_in = body(callback(&app, "code-2", Some(&state)).await).await;
    assert_eq!((logged_in["user_id"].clone(), logged_in["next"].as_str()), (bound["id"].clone(), Some("/cart.html")));
    assert!(logged_in["refresh_token"].as_str().is_some_and(|t| t.len() == 64), "{logged_in}");
    assert_eq!(me(&app, logged_in["token"].as_str().unwrap()).await["username"], "13700137000");
}

#[tokio::test]
async fn binding_to_an_existing_account_needs_its_password() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let alice = app.register("alice", "13800138000").await;
    let (_, state) = authorize(&app, "/").await;
    fake.add_code("code-1", "OPENID-ALICE", None);
    let access_token =
        body(callback(&app, "code-1", Some(&state)).await).await["access_token"].as_str().unwrap().to_owned();

    let error = assert_error(
        bind(&app, "13800138000", "wrong-password", &access_token).await,
        StatusCode::BAD_REQUEST,
        "wrong_password",
    )
    .await;
    assert_eq!(error["password"][0], "密码错误");
    // The bind token survives a wrong password; the right one binds.
    let response = bind(&app, "13800138000", "correct-horse", &access_token).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(body(response).await["id"], alice["id"]);
    // Spent: the same bind token cannot bind again.
    let again = bind(&app, "13900139000", "correct-horse", &access_token).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let (_, state) = authorize(&app, "/").await;
    fake.add_code("code-2", "OPENID-ALICE", None);
    assert_eq!(body(callback(&app, "code-2", Some(&state)).await).await["username"], "alice");

    let database = app.database().await;
    let bound: Vec<(String, String)> =
        sqlx::query_as("SELECT provider, openid FROM oauth_identities").fetch_all(&database).await.unwrap();
    assert_eq!(bound, [("qq".to_owned(), "OPENID-ALICE".to_owned())]);
}

#[tokio::test]
async fn an_identity_bound_in_the_meantime_is_a_conflict() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    fake.add_code("code-1", "OPENID-TWICE", None);
    fake.add_code("code-2", "OPENID-TWICE", None);
    let (_, first_state) = authorize(&app, "/").await;
    let (_, second_state) = authorize(&app, "/").await;
    let first =
        body(callback(&app, "code-1", Some(&first_state)).await).await["access_token"].as_str().unwrap().to_owned();
    let second =
        body(callback(&app, "code-2", Some(&second_state)).await).await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(bind(&app, "13700137001", "correct-horse", &first).await.status(), StatusCode::CREATED);
    let response = bind(&app, "13700137002", "correct-horse", &second).await;
    let error = assert_error(response, StatusCode::CONFLICT, "already_bound").await;
    assert!(error.get("access_token").is_some(), "{error}");
    // Nothing was created for the losing mobile.
    assert_eq!(body(app.get("/mobiles/13700137002/count/").await).await["count"], 0);
}

#[tokio::test]
async fn state_is_required_checked_and_single_use() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    fake.add_code("code-1", "OPENID", None);
    let error = assert_error(callback(&app, "code-1", None).await, StatusCode::BAD_REQUEST, "invalid_state").await;
    assert!(error.get("state").is_some(), "{error}");
    assert_error(callback(&app, "code-1", Some("forged")).await, StatusCode::BAD_REQUEST, "invalid_state").await;
    let (_, state) = authorize(&app, "/").await;
    assert_eq!(callback(&app, "code-1", Some(&state)).await.status(), StatusCode::OK);
    fake.add_code("code-2", "OPENID", None);
    assert_error(callback(&app, "code-2", Some(&state)).await, StatusCode::BAD_REQUEST, "invalid_state").await;
    // QQ was never asked for the refused callbacks.
    assert_eq!(fake.requests_to("/oauth2.0/token").len(), 1);
    assert_error(app.get("/oauth/qq/user/").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
}

#[tokio::test]
async fn a_missing_state_is_accepted_only_when_configured_and_then_goes_to_the_root() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |config| config.oauth_allow_missing_state = true).await;
    fake.add_code("code-1", "OPENID", None);
    let answer = body(callback(&app, "code-1", None).await).await;
    assert_eq!(answer["next"], "/");
    assert!(answer["access_token"].is_string(), "{answer}");
    // A state that is present is still checked.
    fake.add_code("code-2", "OPENID", None);
    assert_error(callback(&app, "code-2", Some("forged")).await, StatusCode::BAD_REQUEST, "invalid_state").await;
}

#[tokio::test]
async fn next_is_never_an_open_redirect() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let cases = [
        ("//evil.example.com/", "/"),
        ("https://evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
        ("/goods/1.html", "/goods/1.html"),
    ];
    for (i, (next, expected)) in cases.into_iter().enumerate() {
        let (_, state) = authorize(&app, next).await;
        let code = format!("code-{i}");
        fake.add_code(&code, "OPENID", None);
        assert_eq!(body(callback(&app, &code, Some(&state)).await).await["next"], expected, "{next}");
    }
}

#[tokio::test]
async fn every_qq_error_answer_maps_to_a_clear_error_body() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;

    // An unknown or expired code (100019) and a reused one (100020): the person logs in again.
    let (_, state) = authorize(&app, "/").await;
    let error =
        assert_error(callback(&app, "never-issued", Some(&state)).await, StatusCode::BAD_REQUEST, "invalid_oauth_code")
            .await;
    assert!(error.get("code").is_some(), "{error}");
    fake.add_code("code-1", "OPENID", None);
    let (_, state) = authorize(&app, "/").await;
    assert_eq!(callback(&app, "code-1", Some(&state)).await.status(), StatusCode::OK);
    let (_, state) = authorize(&app, "/").await;
    assert_error(callback(&app, "code-1", Some(&state)).await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;

    // QQ's token problems on `me` (100013–100016) are QQ's: 502 with its code.
    for (fate, provider_code) in [
        (TokenFate::Invalid, 100013),
        (TokenFate::Expired, 100014),
        (TokenFate::Revoked, 100015),
        (TokenFate::Unknown, 100016),
    ] {
        fake.tokens_become(fate);
        let code = format!("code-{provider_code}");
        fake.add_code(&code, "OPENID", None);
        let (_, state) = authorize(&app, "/").await;
        let error =
            assert_error(callback(&app, &code, Some(&state)).await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        assert_eq!(error["provider_code"], provider_code);
    }
    fake.tokens_become(TokenFate::Valid);

    // Down, hanging or answering garbage: 502 without a provider code, never a 500.
    for how in [Misbehaviour::Status(500), Misbehaviour::Garbage, Misbehaviour::Hang(std::time::Duration::from_secs(3))]
    {
        fake.misbehave(Endpoint::Token, how);
        fake.add_code("code-x", "OPENID", None);
        let (_, state) = authorize(&app, "/").await;
        let error =
            assert_error(callback(&app, "code-x", Some(&state)).await, StatusCode::BAD_GATEWAY, "upstream_failed")
                .await;
        assert!(error.get("provider_code").is_none(), "{error}");
    }
}

#[tokio::test]
async fn a_wrong_redirect_uri_is_qqs_error_100010_as_a_502() {
    let fake = FakeQq::start().await;
    let app =
        spawn_with_qq(&fake, |config| config.qq_redirect_uri = Some("http://elsewhere.example.com/cb.html".into()))
            .await;
    fake.add_code("code-1", "OPENID", None);
    let (_, state) = authorize(&app, "/").await;
    let error =
        assert_error(callback(&app, "code-1", Some(&state)).await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
    assert_eq!(error["provider_code"], 100010);
}

#[tokio::test]
async fn bind_refuses_bad_input_and_bad_tokens() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let response = app.post_json("/oauth/qq/user/", &json!({"mobile": "123", "password": "x", "sms_code": "1"})).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_mobile").await;
    for field in ["mobile", "password", "sms_code", "access_token"] {
        assert!(error.get(field).is_some(), "{field}: {error}");
    }
    let response = bind(&app, "13700137000", "correct-horse", "forged").await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
    // A find-password token is no bind token.
    let response = app
        .post_json(
            "/oauth/qq/user/",
            &json!({"mobile": "13700137000", "password": "correct-horse", "sms_code": "000000",
            "access_token": app.register("alice", "13800138000").await["token"]}),
        )
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;
}

#[tokio::test]
async fn without_qq_configured_the_endpoints_answer_404() {
    let app = spawn_app_with(|_| {}).await;
    assert_error(app.get("/oauth/qq/authorization/").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.get("/oauth/qq/user/?code=x&state=y").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn without_wechat_configured_mini_program_login_answers_404() {
    let app = spawn_app_with(|_| {}).await;
    let response = app.post_json("/oauth/wechat/miniprogram/", &json!({"code": "js-code"})).await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_redirect_from_qq_is_a_502_and_is_not_followed() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    for endpoint in [Endpoint::Token, Endpoint::Me] {
        fake.misbehave(endpoint, Misbehaviour::Redirect);
        let code = format!("code-{endpoint:?}");
        fake.add_code(&code, "OPENID", None);
        let (_, state) = authorize(&app, "/").await;

        let response = callback(&app, &code, Some(&state)).await;

        assert_error(response, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        assert_eq!(fake.requests_to(fake_qq::REDIRECT_TARGET), [], "{endpoint:?}");
        fake.behave();
    }
}
