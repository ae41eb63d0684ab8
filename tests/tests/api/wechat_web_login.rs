//! WeChat website (QR) login over HTTP against the fake WeChat API: the QR
//! URL → callback (bound, unbound, or joined through the unionid) → binding →
//! logging in again; one account for a person who uses both the mini-program
//! and the website; and every WeChat errcode mapped to a clear body.

use std::time::Duration;

use bootstrap::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use test_support::fake_qq::{self, FakeQq};
use test_support::fake_wechat::{self, Endpoint, FakeWeChat, Misbehaviour};

use crate::classic_oauth_page;
use crate::support::{OAuthDeparture, TestApp, assert_error, body, browser, spawn_app_with};

const HTTP_REDIRECT_URI: &str = "http://www.meiduo.site:8080/wechat_callback.html?from=wechat&next=/";

/// Both WeChat apps against the fake, plus whatever the test adds.
async fn spawn_with_wechat(fake: &FakeWeChat, configure: impl FnOnce(&mut Config)) -> TestApp {
    let base = fake.base_url();
    spawn_app_with(move |config| {
        config.wechat_mp_appid = Some(fake_wechat::MP_APP_ID.into());
        config.wechat_mp_secret = Some(fake_wechat::MP_SECRET.into());
        config.wechat_web_appid = Some(fake_wechat::WEB_APP_ID.into());
        config.wechat_web_secret = Some(fake_wechat::WEB_SECRET.into());
        // Plain http, like the test server: an https callback page makes the flow cookie
        // `Secure`, which a browser keeps off plain-http requests.
        config.wechat_web_redirect_uri = Some(HTTP_REDIRECT_URI.into());
        config.wechat_api_base = base.clone();
        config.wechat_open_base = base;
        config.wechat_timeout_secs = Duration::from_secs(1);
        config.code_resend_interval_secs = Duration::from_secs(0);
        configure(config);
    })
    .await
}

/// A QR login started and through the hop, in a browser of its own.
async fn authorize(app: &TestApp, next: &str) -> OAuthDeparture {
    app.oauth_authorize("wechat", next).await
}

/// The callback from the browser that started the login, with only `code` (the classic page).
async fn callback(app: &TestApp, flow: &OAuthDeparture, code: &str) -> reqwest::Response {
    app.oauth_callback(&flow.browser, "wechat", code, None).await
}

/// A callback of a fresh login.
async fn scan(app: &TestApp, code: &str) -> reqwest::Response {
    let flow = authorize(app, "/").await;
    callback(app, &flow, code).await
}

async fn bind(app: &TestApp, mobile: &str, password: &str, access_token: &str) -> reqwest::Response {
    app.oauth_bind("wechat", mobile, password, access_token).await
}

async fn mini_program(app: &TestApp, code: &str) -> Value {
    let response = app.post_json("/oauth/wechat/miniprogram/", &json!({"code": code})).await;
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await
}

async fn providers(app: &TestApp, token: &str) -> Vec<String> {
    let listed = body(app.client.get(app.url("/user/oauth/")).bearer_auth(token).send().await.unwrap()).await;
    let mut providers: Vec<String> =
        listed.as_array().unwrap().iter().map(|b| b["provider"].as_str().unwrap().to_owned()).collect();
    providers.sort();
    providers
}

async fn unbind(app: &TestApp, token: &str, provider: &str) -> reqwest::Response {
    app.client.delete(app.url(&format!("/user/oauth/{provider}/"))).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn a_mini_program_user_who_scans_the_website_qr_code_is_logged_into_the_same_account() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    fake.add_mp_code("js-1", "MP-OPENID", Some("UNION-1"), "KEY");
    let first = mini_program(&app, "js-1").await;
    assert_eq!(first["created"], true);

    // The website's openid is another one; the unionid is the same person's.
    fake.add_web_code("web-1", "WEB-OPENID", Some("UNION-1"), "小明", "https://thirdwx.qlogo.cn/a.png");
    let flow = authorize(&app, "/user_center_info.html").await;
    let response = callback(&app, &flow, "web-1").await;
    assert_eq!(response.status(), StatusCode::OK);
    let logged_in = body(response).await;
    assert_eq!(
        (logged_in["user_id"].clone(), logged_in["username"].clone(), logged_in["next"].as_str()),
        (first["user_id"].clone(), first["username"].clone(), Some("/user_center_info.html"))
    );
    assert!(logged_in.get("access_token").is_none(), "no bind form for a known person: {logged_in}");
    let token = logged_in["token"].as_str().unwrap();
    assert_eq!(providers(&app, token).await, ["wechat_mp", "wechat_web"]);

    // The next scan finds the website identity itself.
    fake.add_web_code("web-2", "WEB-OPENID", Some("UNION-1"), "小明", "https://thirdwx.qlogo.cn/a.png");
    assert_eq!(body(scan(&app, "web-2").await).await["user_id"], first["user_id"]);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&app.database().await).await.unwrap();
    assert_eq!(users, 1);

    // Two ways in: one can go, the last cannot.
    assert_eq!(unbind(&app, token, "wechat_mp").await.status(), StatusCode::NO_CONTENT);
    assert_error(unbind(&app, token, "wechat_web").await, StatusCode::CONFLICT, "last_login_method").await;
}

#[tokio::test]
async fn a_website_user_who_opens_the_mini_program_is_logged_into_the_same_account() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    fake.add_web_code("web-1", "WEB-OPENID", Some("UNION-2"), "小红", "https://thirdwx.qlogo.cn/b.png");
    let unbound = body(scan(&app, "web-1").await).await;
    let bound = body(bind(&app, "13700137000", "correct-horse", unbound["access_token"].as_str().unwrap()).await).await;
    assert_eq!(bound["username"], "13700137000");

    fake.add_mp_code("js-1", "MP-OPENID", Some("UNION-2"), "KEY");
    let logged_in = mini_program(&app, "js-1").await;
    assert_eq!(
        (logged_in["created"].as_bool(), logged_in["user_id"].clone(), logged_in["username"].clone()),
        (Some(false), bound["id"].clone(), bound["username"].clone())
    );
    assert_eq!(providers(&app, logged_in["token"].as_str().unwrap()).await, ["wechat_mp", "wechat_web"]);

    // Another person (another unionid) is another account.
    fake.add_mp_code("js-2", "MP-OTHER", Some("UNION-3"), "KEY");
    let other = mini_program(&app, "js-2").await;
    assert_eq!(other["created"], true);
    assert_ne!(other["user_id"], bound["id"]);
}

#[tokio::test]
async fn a_first_website_login_binds_through_the_form_and_the_next_goes_straight_in() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    let flow = authorize(&app, "/cart.html").await;
    let url = &flow.authorize_url;
    assert_eq!(url.path(), "/connect/qrconnect");
    assert_eq!(url.fragment(), Some("wechat_redirect"));
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    assert_eq!(param("appid").as_deref(), Some(fake_wechat::WEB_APP_ID));
    assert_eq!(param("redirect_uri").as_deref(), Some(HTTP_REDIRECT_URI));
    assert_eq!((param("response_type").as_deref(), param("scope").as_deref()), (Some("code"), Some("snsapi_login")));
    assert_eq!(param("state").as_deref(), Some("/cart.html"));

    // No unionid (a website app outside an Open Platform account): the bind form.
    fake.add_web_code("web-1", "WEB-OPENID", None, "小明", "https://thirdwx.qlogo.cn/a.png");
    let unbound = body(callback(&app, &flow, "web-1").await).await;
    assert_eq!(unbound["next"], "/cart.html");
    assert!(unbound.get("token").is_none(), "{unbound}");
    let alice = app.register("alice", "13800138000").await;
    let access_token = unbound["access_token"].as_str().unwrap();
    let error = assert_error(
        bind(&app, "13800138000", "wrong-password", access_token).await,
        StatusCode::BAD_REQUEST,
        "wrong_password",
    )
    .await;
    assert_eq!(error["password"][0], "密码错误");
    let response = bind(&app, "13800138000", "correct-horse", access_token).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let bound = body(response).await;
    assert_eq!((bound["id"].clone(), bound["user_id"].clone()), (alice["id"].clone(), alice["id"].clone()));
    assert!(bound["refresh_token"].as_str().is_some_and(|t| t.len() == 64), "{bound}");
    // Spent: the same bind token cannot bind again.
    assert_eq!(bind(&app, "13900139000", "correct-horse", access_token).await.status(), StatusCode::CONFLICT);

    fake.add_web_code("web-2", "WEB-OPENID", None, "小明", "https://thirdwx.qlogo.cn/a.png");
    let logged_in = body(scan(&app, "web-2").await).await;
    assert_eq!((logged_in["user_id"].clone(), logged_in["username"].as_str()), (alice["id"].clone(), Some("alice")));
    let me =
        body(app.client.get(app.url("/user/")).bearer_auth(logged_in["token"].as_str().unwrap()).send().await.unwrap())
            .await;
    assert_eq!(me["username"], "alice");
}

#[tokio::test]
async fn an_identity_bound_in_the_meantime_is_a_conflict() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    fake.add_web_code("web-1", "WEB-TWICE", None, "n", "https://thirdwx.qlogo.cn/a.png");
    fake.add_web_code("web-2", "WEB-TWICE", None, "n", "https://thirdwx.qlogo.cn/a.png");
    let first = body(scan(&app, "web-1").await).await["access_token"].as_str().unwrap().to_owned();
    let second = body(scan(&app, "web-2").await).await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(bind(&app, "13700137001", "correct-horse", &first).await.status(), StatusCode::CREATED);
    let error =
        assert_error(bind(&app, "13700137002", "correct-horse", &second).await, StatusCode::CONFLICT, "already_bound")
            .await;
    assert!(error.get("access_token").is_some(), "{error}");
    assert_eq!(body(app.get("/mobiles/13700137002/count/").await).await["count"], 0);
}

#[tokio::test]
async fn only_the_browser_that_started_the_login_can_finish_it_once_and_next_stays_local() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    fake.add_web_code("web-1", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
    let flow = authorize(&app, "//evil.example.com/").await;
    assert_eq!(flow.state, "/");
    // Another browser replaying this login's callback page: refused, with or without state.
    let victim = browser();
    for state in [None, Some(flow.state.as_str()), Some("forged")] {
        let response = app.oauth_callback(&victim, "wechat", "web-1", state).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_state").await;
        assert!(error.get("state").is_some() && error.get("access_token").is_none(), "{error}");
    }
    assert_eq!(body(callback(&app, &flow, "web-1").await).await["next"], "/");
    fake.add_web_code("web-2", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
    assert_error(callback(&app, &flow, "web-2").await, StatusCode::BAD_REQUEST, "invalid_state").await;
    // WeChat was asked once: for the one good callback.
    assert_eq!(fake.requests_to(Endpoint::WebToken).len(), 1);
    assert_error(app.get("/oauth/wechat/user/").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
}

#[tokio::test]
async fn an_https_callback_page_makes_the_flow_cookie_secure() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |config| {
        config.wechat_web_redirect_uri = Some(fake_wechat::WEB_REDIRECT_URI.into());
    })
    .await;
    let login_url = app.oauth_login_url(&app.client, "wechat", "/").await;
    let hop = app.client.get(login_url).send().await.unwrap();
    assert_eq!(hop.status(), StatusCode::FOUND);
    let cookie = hop.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("oauth_flow_wechat=") && cookie.ends_with("; Secure"), "{cookie}");
    let location = hop.headers()[reqwest::header::LOCATION].to_str().unwrap();
    assert!(location.ends_with("#wechat_redirect"), "{location}");
}

#[tokio::test]
async fn the_classic_callback_page_lands_on_next_for_the_qr_login_too() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    for (i, (next, expected)) in crate::qq_login::LANDINGS.into_iter().enumerate() {
        let flow = authorize(&app, next).await;
        let code = format!("web-{i}");
        fake.add_web_code(&code, &format!("WEB-OPENID-{i}"), None, "n", "https://thirdwx.qlogo.cn/a.png");
        let page = classic_oauth_page::callback_page(HTTP_REDIRECT_URI, &code, &flow.state);
        let page_state = classic_oauth_page::get_query_string(&page, "state").unwrap();
        assert_eq!(page_state, expected, "{next}: {page}");
        let answer = body(callback(&app, &flow, &code).await).await;
        assert_eq!(answer["next"], next, "{answer}");
        assert!(answer["access_token"].is_string(), "{answer}");
    }
}

#[tokio::test]
async fn a_state_or_bind_token_of_qq_opens_nothing_at_wechat_and_the_other_way_round() {
    let wechat = FakeWeChat::start().await;
    let qq = FakeQq::start().await;
    let qq_base = qq.base_url();
    let app = spawn_with_wechat(&wechat, move |config| {
        config.qq_client_id = Some(fake_qq::CLIENT_ID.into());
        config.qq_client_secret = Some(fake_qq::CLIENT_SECRET.into());
        config.qq_redirect_uri = Some(fake_qq::REDIRECT_URI.into());
        config.qq_api_base = qq_base;
    })
    .await;
    // A browser holding a QQ flow: its cookie is QQ's, and WeChat's callback refuses it.
    let qq_flow = app.oauth_authorize("qq", "/").await;
    wechat.add_web_code("web-1", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
    assert_error(callback(&app, &qq_flow, "web-1").await, StatusCode::BAD_REQUEST, "invalid_state").await;
    // Nor does a QQ flow copied into WeChat's cookie.
    let login_url = app.oauth_login_url(&app.client, "qq", "/").await;
    let hop = app.client.get(login_url).send().await.unwrap();
    let set_cookie = hop.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    let qq_flow_value = set_cookie.split(';').next().unwrap().trim_start_matches("oauth_flow_qq=").to_owned();
    let response = app
        .client
        .get(app.url("/oauth/wechat/user/?code=web-1"))
        .header("cookie", format!("oauth_flow_wechat={qq_flow_value}"))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_state").await;
    assert!(wechat.requests_to(Endpoint::WebToken).is_empty());

    let wechat_bind = body(scan(&app, "web-1").await).await["access_token"].as_str().unwrap().to_owned();
    let response = app.oauth_bind("qq", "13700137000", "correct-horse", &wechat_bind).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_access_token").await;

    qq.add_code("qq-1", "QQ-OPENID", None);
    let qq_flow = app.oauth_authorize("qq", "/").await;
    let qq_callback = body(app.oauth_callback(&qq_flow.browser, "qq", "qq-1", None).await).await;
    let qq_bind = qq_callback["access_token"].as_str().unwrap();
    assert_error(
        bind(&app, "13700137000", "correct-horse", qq_bind).await,
        StatusCode::BAD_REQUEST,
        "invalid_access_token",
    )
    .await;
    // The WeChat token still binds at its own form.
    assert_eq!(bind(&app, "13700137000", "correct-horse", &wechat_bind).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn every_wechat_errcode_on_the_callback_maps_to_its_answer() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    // 40029: a code WeChat never issued; 40163: one used already.
    assert_error(scan(&app, "never-issued").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    fake.add_web_code("web-1", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
    assert_eq!(scan(&app, "web-1").await.status(), StatusCode::OK);
    assert_error(scan(&app, "web-1").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    // 45011: WeChat's rate limit.
    fake.add_web_code("web-2", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
    fake.fail_next(Endpoint::WebToken, 45011, 1);
    let response = scan(&app, "web-2").await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // 40226: a high-risk user WeChat blocks.
    fake.fail_next(Endpoint::WebToken, 40226, 1);
    assert_error(scan(&app, "web-2").await, StatusCode::FORBIDDEN, "forbidden").await;
    // -1 (busy) is retried with backoff, and the login goes through.
    fake.fail_next(Endpoint::WebToken, -1, 2);
    assert_eq!(scan(&app, "web-2").await.status(), StatusCode::OK);
    // Anything else is WeChat's failure, with its errcode: on the token and on the profile.
    for (endpoint, errcode) in [(Endpoint::WebToken, 40013), (Endpoint::UserInfo, 40003)] {
        let code = format!("web-{errcode}");
        fake.add_web_code(&code, "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
        fake.fail_next(endpoint, errcode, 1);
        let error = assert_error(scan(&app, &code).await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        assert_eq!(error["provider_code"], errcode);
    }
    // Down, hanging or answering garbage: 502 without a provider code, never a 500.
    for how in [Misbehaviour::Status(500), Misbehaviour::Garbage, Misbehaviour::Hang(std::time::Duration::from_secs(3))]
    {
        fake.misbehave(Endpoint::WebToken, how);
        fake.add_web_code("web-x", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
        let error = assert_error(scan(&app, "web-x").await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        assert!(error.get("provider_code").is_none(), "{error}");
    }
}

#[tokio::test]
async fn without_the_website_app_the_qr_login_answers_404() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |config| config.wechat_web_appid = None).await;
    assert_error(app.get("/oauth/wechat/authorization/").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.get("/oauth/wechat/user/?code=x&state=y").await, StatusCode::NOT_FOUND, "not_found").await;
    let response = app.post_json("/oauth/wechat/user/", &json!({"mobile": "13700137000"})).await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    // The mini-program still works on its own.
    fake.add_mp_code("js-1", "MP-OPENID", None, "KEY");
    assert_eq!(mini_program(&app, "js-1").await["created"], true);
}

#[tokio::test]
async fn the_bind_form_refuses_bad_input_and_locks_the_account_after_wrong_passwords() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |config| config.login_account_failures = 2).await;
    let response =
        app.post_json("/oauth/wechat/user/", &json!({"mobile": "123", "password": "x", "sms_code": "1"})).await;
    let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_mobile").await;
    for field in ["mobile", "password", "sms_code", "access_token"] {
        assert!(error.get(field).is_some(), "{field}: {error}");
    }
    assert_error(
        bind(&app, "13700137000", "correct-horse", "forged").await,
        StatusCode::BAD_REQUEST,
        "invalid_access_token",
    )
    .await;

    app.register("alice", "13800138000").await;
    fake.add_web_code("web-1", "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");
    let access_token = body(scan(&app, "web-1").await).await["access_token"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let response = bind(&app, "13800138000", "wrong-password", &access_token).await;
        assert_error(response, StatusCode::BAD_REQUEST, "wrong_password").await;
    }
    // Locked now, the right password included: binding is no way around the login lock.
    let response = bind(&app, "13800138000", "correct-horse", &access_token).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Password login holds no password of hers either; her username reached no limit of its own.
    assert_error(app.log_in("alice", "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;
}

#[tokio::test]
async fn a_redirect_from_wechat_is_a_502_and_is_not_followed() {
    let fake = FakeWeChat::start().await;
    let app = spawn_with_wechat(&fake, |_| {}).await;
    for endpoint in [Endpoint::WebToken, Endpoint::UserInfo] {
        fake.misbehave(endpoint, Misbehaviour::Redirect);
        let code = format!("web-{endpoint:?}");
        fake.add_web_code(&code, "WEB-OPENID", None, "n", "https://thirdwx.qlogo.cn/a.png");

        let response = scan(&app, &code).await;

        assert_error(response, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        let followed = fake.requests().into_iter().filter(|request| request.path == fake_wechat::REDIRECT_TARGET);
        assert_eq!(followed.count(), 0, "{endpoint:?}");
        fake.behave();
    }
}
