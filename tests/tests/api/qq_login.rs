//! QQ login over HTTP against the fake QQ Connect server: authorization URL →
//! callback (bound and unbound) → binding to a new or an existing account →
//! logging in again by QQ; and every QQ error answer mapped to a clear body.

use std::time::Duration;

use bootstrap::Config;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use test_support::fake_qq::{self, Endpoint, FakeQq, Misbehaviour, TokenFate};

use crate::classic_oauth_page;
use crate::support::{
    JWT_SECRET, OAuthDeparture, TestApp, assert_error, assert_no_store, body, browser, spawn_app_with,
};

async fn spawn_with_qq(fake: &FakeQq, configure: impl FnOnce(&mut Config)) -> TestApp {
    let base = fake.base_url();
    spawn_app_with(move |config| {
        config.qq_client_id = Some(fake_qq::CLIENT_ID.into());
        config.qq_client_secret = Some(fake_qq::CLIENT_SECRET.into());
        config.qq_redirect_uri = Some(fake_qq::REDIRECT_URI.into());
        config.qq_api_base = base;
        config.qq_timeout_secs = Duration::from_secs(1);
        config.code_resend_interval_secs = Duration::from_secs(0);
        configure(config);
    })
    .await
}

/// A QQ login started and through the hop, in a browser of its own.
async fn authorize(app: &TestApp, next: &str) -> OAuthDeparture {
    app.oauth_authorize("qq", next).await
}

/// The callback from the browser that started the login, with only `code` (the classic page).
async fn callback(app: &TestApp, flow: &OAuthDeparture, code: &str) -> reqwest::Response {
    app.oauth_callback(&flow.browser, "qq", code, None).await
}

async fn bind(app: &TestApp, mobile: &str, password: &str, access_token: &str) -> reqwest::Response {
    app.oauth_bind("qq", mobile, password, access_token).await
}

/// A first QQ login of `openid` through to the bind form: its bind token.
async fn bind_token(app: &TestApp, fake: &FakeQq, openid: &str) -> String {
    let flow = authorize(app, "/").await;
    let code = format!("code-{openid}");
    fake.add_code(&code, openid, None);
    body(callback(app, &flow, &code).await).await["access_token"].as_str().unwrap().to_owned()
}

async fn me(app: &TestApp, token: &str) -> Value {
    body(app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap()).await
}

#[tokio::test]
async fn a_first_qq_login_binds_a_new_account_and_the_next_login_goes_straight_in() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let flow = authorize(&app, "/user_center_info.html").await;
    let url = flow.authorize_url.to_string();
    assert!(url.starts_with(&format!("{}/oauth2.0/authorize?", fake.base_url())), "{url}");
    assert!(url.contains("client_id=101474184") && url.contains("scope=get_user_info"), "{url}");
    assert_eq!(flow.state, "/user_center_info.html");

    fake.add_code("code-1", "OPENID-NEW", Some("UNIONID-NEW"));
    let response = callback(&app, &flow, "code-1").await;
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
    let flow = authorize(&app, "/cart.html").await;
    fake.add_code("code-2", "OPENID-NEW", Some("UNIONID-NEW"));
    let logged_in = body(callback(&app, &flow, "code-2").await).await;
    assert_eq!((logged_in["user_id"].clone(), logged_in["next"].as_str()), (bound["id"].clone(), Some("/cart.html")));
    assert!(logged_in["refresh_token"].as_str().is_some_and(|t| t.len() == 64), "{logged_in}");
    assert_eq!(me(&app, logged_in["token"].as_str().unwrap()).await["username"], "13700137000");
}

#[tokio::test]
async fn binding_to_an_existing_account_needs_its_password() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let alice = app.register("alice", "13800138000").await;
    let access_token = bind_token(&app, &fake, "OPENID-ALICE").await;

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

    let flow = authorize(&app, "/").await;
    fake.add_code("code-2", "OPENID-ALICE", None);
    assert_eq!(body(callback(&app, &flow, "code-2").await).await["username"], "alice");

    let database = app.database().await;
    let bound: Vec<(String, String)> =
        sqlx::query_as("SELECT provider, openid FROM oauth_identities").fetch_all(&database).await.unwrap();
    assert_eq!(bound, [("qq".to_owned(), "OPENID-ALICE".to_owned())]);
}

#[tokio::test]
async fn a_bind_refused_for_its_sms_code_leaves_the_bind_token_usable() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let access_token = bind_token(&app, &fake, "OPENID-NEW").await;
    let code = app.sms_code("13700137000").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let form = |code: &str| json!({"mobile": "13700137000", "password": "correct-horse", "sms_code": code, "access_token": access_token});

    assert_error(app.post_json("/oauth/qq/user/", &form(wrong)).await, StatusCode::BAD_REQUEST, "code_wrong").await;
    let response = app.post_json("/oauth/qq/user/", &form(&code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(body(response).await["username"], "13700137000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_binds_with_one_bind_token_bind_once() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let access_token = bind_token(&app, &fake, "OPENID-RACE").await;
    let mut forms = Vec::new();
    for i in 0..5 {
        let mobile = format!("1370013700{i}");
        let code = app.sms_code(&mobile).await;
        forms.push(
            json!({"mobile": mobile, "password": "correct-horse", "sms_code": code, "access_token": access_token}),
        );
    }

    let app = &app;
    let answers = futures::future::join_all(forms.iter().map(|form| async move {
        let response = app.post_json("/oauth/qq/user/", form).await;
        (response.status(), body(response).await)
    }))
    .await;
    let winners = answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).count();
    assert_eq!(winners, 1, "{answers:?}");
    let database = app.database().await;
    let bound: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oauth_identities").fetch_one(&database).await.unwrap();
    assert_eq!(bound, 1);
    // Every other try found the token held (or, arriving late, its identity
    // bound) before its SMS code was tried: the code still registers its mobile.
    for (i, (form, (status, answer))) in forms.iter().zip(&answers).enumerate() {
        if *status == StatusCode::CREATED {
            continue;
        }
        assert!(
            [(StatusCode::BAD_REQUEST, "invalid_access_token"), (StatusCode::CONFLICT, "already_bound")]
                .contains(&(*status, answer["code"].as_str().unwrap_or_default())),
            "{status} {answer}"
        );
        let mobile = form["mobile"].as_str().unwrap();
        let registration = TestApp::registration(&format!("loser{i}"), mobile, form["sms_code"].as_str().unwrap());
        let response = app.post_json("/users/", &registration).await;
        let status = response.status();
        assert_eq!(status, StatusCode::CREATED, "{mobile}: {}", body(response).await);
    }
}

#[tokio::test]
async fn an_identity_bound_in_the_meantime_is_a_conflict() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    fake.add_code("code-1", "OPENID-TWICE", None);
    fake.add_code("code-2", "OPENID-TWICE", None);
    let first_flow = authorize(&app, "/").await;
    let second_flow = authorize(&app, "/").await;
    let first = body(callback(&app, &first_flow, "code-1").await).await["access_token"].as_str().unwrap().to_owned();
    let second = body(callback(&app, &second_flow, "code-2").await).await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(bind(&app, "13700137001", "correct-horse", &first).await.status(), StatusCode::CREATED);
    let response = bind(&app, "13700137002", "correct-horse", &second).await;
    let error = assert_error(response, StatusCode::CONFLICT, "already_bound").await;
    assert!(error.get("access_token").is_some(), "{error}");
    // Nothing was created for the losing mobile.
    assert_eq!(body(app.get("/mobiles/13700137002/count/").await).await["count"], 0);
}

#[tokio::test]
async fn only_the_browser_that_started_the_login_can_finish_it_and_only_once() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let flow = authorize(&app, "/").await;

    // The attack: someone else's browser opens the callback page with this login's code and state.
    let victim = browser();
    fake.add_code("code-1", "OPENID-ATTACKER", None);
    for state in [None, Some(flow.state.as_str())] {
        let response = app.oauth_callback(&victim, "qq", "code-1", state).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_state").await;
        assert!(error.get("state").is_some() && error.get("access_token").is_none(), "{error}");
    }
    // Nor does a browser that went through the hop of a login of its own take this one's code.
    let other = authorize(&app, "/cart.html").await;
    let response = app.oauth_callback(&other.browser, "qq", "code-1", Some(&flow.state)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_state").await;

    // The starting browser can, once; the flow is spent and its cookie cleared.
    assert_eq!(callback(&app, &flow, "code-1").await.status(), StatusCode::OK);
    fake.add_code("code-2", "OPENID", None);
    assert_error(callback(&app, &flow, "code-2").await, StatusCode::BAD_REQUEST, "invalid_state").await;
    // QQ was never asked for the refused callbacks.
    assert_eq!(fake.requests_to("/oauth2.0/token").len(), 1);
    assert_error(app.get("/oauth/qq/user/").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replayed_cookie_a_reused_hop_and_an_expired_flow_open_nothing() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let browser = browser();
    let login_url = app.oauth_login_url(&browser, "qq", "/").await;
    let hop = app.client.get(login_url.clone()).send().await.unwrap();
    let cookie = hop.headers()[reqwest::header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("oauth_flow_qq=")
            && cookie.contains("; HttpOnly")
            && cookie.contains("; SameSite=Lax")
            && cookie.contains("Path=/oauth/qq/")
            && cookie.contains("Max-Age=600")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    // The hop's ticket is spent by its first use.
    let again = browser.get(login_url).send().await.unwrap();
    assert_error(again, StatusCode::BAD_REQUEST, "invalid_state").await;

    // The cookie, copied by hand into two simultaneous callbacks: one login, not two.
    let flow_cookie = cookie.split(';').next().unwrap().to_owned();
    fake.add_code("code-1", "OPENID", None);
    fake.add_code("code-2", "OPENID", None);
    let send = |code: &'static str| {
        app.client.get(app.url(&format!("/oauth/qq/user/?code={code}"))).header("cookie", &flow_cookie).send()
    };
    let answers = futures::future::join_all([send("code-1"), send("code-2")]).await;
    let mut answers: Vec<(u16, Value)> = futures::future::join_all(answers.into_iter().map(|answer| async {
        let response = answer.unwrap();
        (response.status().as_u16(), body(response).await)
    }))
    .await;
    answers.sort_by_key(|(status, _)| *status);
    assert_eq!(answers.iter().map(|(status, _)| *status).collect::<Vec<_>>(), [200, 400], "{answers:?}");
    // The loser found the flow spent.
    assert_eq!(answers[1].1["code"], "invalid_state", "{answers:?}");

    // A flow past its 10 minutes: a cookie holding a flow token that expired is refused.
    let expired = flow_token("qq", chrono::Utc::now().timestamp() - 601, 600);
    let fresh = flow_token("qq", chrono::Utc::now().timestamp(), 600);
    fake.add_code("code-3", "OPENID", None);
    let response = app
        .client
        .get(app.url("/oauth/qq/user/?code=code-3"))
        .header("cookie", format!("oauth_flow_qq={expired}"))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_state").await;
    assert_eq!(fake.requests_to("/oauth2.0/token").len(), 1);
    // The same token minted now passes: what refused the other was its age.
    let response = app
        .client
        .get(app.url("/oauth/qq/user/?code=code-3"))
        .header("cookie", format!("oauth_flow_qq={fresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// A flow token as the service signs it (its key is derived from the JWT secret), issued at `iat`.
fn flow_token(provider: &str, iat: i64, ttl: i64) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(JWT_SECRET.as_bytes()).unwrap();
    mac.update(b"meiduo-accounts/flow-tokens/v1");
    let key = mac.finalize().into_bytes();
    let claims = json!({"flow": "oauth_flow", "sub": provider, "tgt": "/", "ver": 0,
        "jti": uuid::Uuid::new_v4().simple().to_string(), "iat": iat, "exp": iat + ttl});
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &jsonwebtoken::EncodingKey::from_secret(&key))
        .unwrap()
}

#[tokio::test]
async fn a_state_the_client_sends_must_name_the_flow_s_next() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    fake.add_code("code-1", "OPENID", None);
    let flow = authorize(&app, "/cart.html").await;
    let response = app.oauth_callback(&flow.browser, "qq", "code-1", Some("/user_center_info.html")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_state").await;
    // Refused before it was spent: the same browser with the right state still gets in.
    let response = app.oauth_callback(&flow.browser, "qq", "code-1", Some(&flow.state)).await;
    assert_eq!(body(response).await["next"], "/cart.html");
}

#[tokio::test]
async fn oauth_allow_missing_state_is_refused_at_start_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accounts.toml");
    std::fs::write(&file, "oauth_allow_missing_state = true\n").unwrap();
    let error = Config::load(Some(&file)).unwrap_err().to_string();
    assert!(error.contains("OAUTH_ALLOW_MISSING_STATE is gone") && error.contains("cookie"), "{error}");
}

/// `GET /oauth/qq/authorization/` with forwarding headers: the `login_url` answered.
async fn login_url_forwarded(app: &TestApp, host: &str, proto: &str) -> String {
    let response = app
        .client
        .get(app.url("/oauth/qq/authorization/?next=/"))
        .header("x-forwarded-proto", proto)
        .header("x-forwarded-host", host)
        .send()
        .await
        .unwrap();
    body(response).await["login_url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_client_that_is_no_trusted_proxy_cannot_choose_the_host_or_scheme_of_login_url() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |config| config.trusted_proxies = "10.0.0.0/8".parse().unwrap()).await;

    let login_url = login_url_forwarded(&app, "evil.example", "https").await;

    assert!(login_url.starts_with(&format!("{}/oauth/qq/start/?flow=", app.address)), "{login_url}");
}

#[tokio::test]
async fn behind_an_https_proxy_the_hop_is_https_and_the_cookie_secure() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |config| config.trusted_proxies = "127.0.0.1".parse().unwrap()).await;
    let login_url = login_url_forwarded(&app, "api.meiduo.site", "https").await;
    assert!(login_url.starts_with("https://api.meiduo.site/oauth/qq/start/?flow="), "{login_url}");

    let hop = app.url(&login_url["https://api.meiduo.site".len()..]);
    let response = app.client.get(hop).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let cookie = response.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.ends_with("; HttpOnly; SameSite=Lax; Secure"), "{cookie}");
}

#[tokio::test]
async fn the_ticket_the_hop_the_callbacks_and_the_binding_say_no_store() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let browser = browser();
    let response = browser.get(app.url("/oauth/qq/authorization/?next=/")).send().await.unwrap();
    assert_no_store(&response);
    let login_url = body(response).await["login_url"].as_str().unwrap().to_owned();
    let response = browser.get(login_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_no_store(&response);

    fake.add_code("code-1", "OPENID", None);
    let response = app.oauth_callback(&browser, "qq", "code-1", None).await;
    assert_no_store(&response);
    let access_token = body(response).await["access_token"].as_str().unwrap().to_owned();
    let response = bind(&app, "13700137000", "correct-horse", &access_token).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_no_store(&response);

    let flow = authorize(&app, "/").await;
    fake.add_code("code-2", "OPENID", None);
    let response = callback(&app, &flow, "code-2").await;
    assert_no_store(&response);
    assert!(body(response).await["token"].is_string());
}

#[tokio::test]
async fn the_callback_answers_the_shop_s_origin_with_credentials() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    let flow = authorize(&app, "/").await;
    fake.add_code("code-1", "OPENID", None);
    let response = flow
        .browser
        .get(app.url("/oauth/qq/user/?code=code-1"))
        .header("origin", "http://127.0.0.1:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("access-control-allow-origin").as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(header("access-control-allow-credentials").as_deref(), Some("true"));
}

/// `next` values and where the classic page must land for each.
pub const LANDINGS: [(&str, &str); 10] = [
    ("/", "/"),
    ("/user_center_info.html", "/user_center_info.html"),
    ("/goods/1.html?sku=2", "/goods/1.html?sku=2"),
    ("/list.html?cat=1=2;x:y@z", "/list.html?cat=1=2;x:y@z"),
    ("/search.html?q=%E6%89%8B%E6%9C%BA", "/search.html?q=%E6%89%8B%E6%9C%BA"),
    ("/search.html?q=手机 壳", "/search.html?q=手机 壳"),
    ("/100%25 off.html", "/100%25 off.html"),
    ("/search.html?q=a%26b%23c%3Dd", "/search.html?q=a%26b%23c%3Dd"),
    ("/订单/list.html", "/订单/list.html"),
    // A fragment cannot come back through a query and `decodeURI`: the page opens at its top.
    ("/goods/1.html?sku=2#comments", "/goods/1.html?sku=2"),
];

/// The whole classic journey for each `next`: login page → hop → QQ (which percent-encodes
/// `state` onto the callback page) → `oauth_callback.html`, which reads `code` and `state`
/// with `decodeURI`, calls the callback in the same browser, shows the bind form the first
/// time, and then sends the browser to `state`: the page `next` named.
#[tokio::test]
async fn the_classic_callback_page_lands_on_next_after_binding_and_after_a_bound_login() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;
    for (i, (next, expected)) in LANDINGS.into_iter().enumerate() {
        let openid = format!("OPENID-{i}");
        for (round, code) in [format!("first-{i}"), format!("again-{i}")].into_iter().enumerate() {
            let browser = browser();
            let login_url = app.oauth_login_url(&browser, "qq", next).await;
            let authorize_url = app.oauth_hop(&browser, &login_url).await;
            let state = authorize_url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
            fake.add_code(&code, &openid, None);
            let page = classic_oauth_page::callback_page(fake_qq::REDIRECT_URI, &code, &state);
            let page_state = classic_oauth_page::get_query_string(&page, "state").unwrap();
            let page_code = classic_oauth_page::get_query_string(&page, "code").unwrap();
            assert_eq!(page_state, expected, "{next}: {page}");
            assert_eq!(
                classic_oauth_page::landing(&page, &page_state),
                classic_oauth_page::as_navigated(&page, expected)
            );

            // The seed's page sends `state` raw in its query; a client of `openapi/openapi.json` may send only `code`.
            let path = if round == 0 {
                format!("/oauth/qq/user/?code={page_code}&state={page_state}")
            } else {
                format!("/oauth/qq/user/?code={page_code}")
            };
            let response = browser.get(Url::parse(&app.url(&path)).unwrap()).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{next}");
            let answer = body(response).await;
            assert_eq!(answer["next"], next, "{answer}");
            if round == 0 {
                let mobile = format!("1370013{i:04}");
                let access_token = answer["access_token"].as_str().expect("the bind form the first time");
                let bound = app.oauth_bind("qq", &mobile, "correct-horse", access_token).await;
                assert_eq!(bound.status(), StatusCode::CREATED, "{next}");
            } else {
                assert!(answer["token"].is_string(), "logged straight in: {answer}");
            }
        }
    }
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
        let flow = authorize(&app, next).await;
        let code = format!("code-{i}");
        fake.add_code(&code, "OPENID", None);
        assert_eq!(body(callback(&app, &flow, &code).await).await["next"], expected, "{next}");
    }
}

#[tokio::test]
async fn every_qq_error_answer_maps_to_a_clear_error_body() {
    let fake = FakeQq::start().await;
    let app = spawn_with_qq(&fake, |_| {}).await;

    // An unknown or expired code (100019) and a reused one (100020): the person logs in again.
    let flow = authorize(&app, "/").await;
    let error =
        assert_error(callback(&app, &flow, "never-issued").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;
    assert!(error.get("code").is_some(), "{error}");
    fake.add_code("code-1", "OPENID", None);
    let flow = authorize(&app, "/").await;
    assert_eq!(callback(&app, &flow, "code-1").await.status(), StatusCode::OK);
    let flow = authorize(&app, "/").await;
    assert_error(callback(&app, &flow, "code-1").await, StatusCode::BAD_REQUEST, "invalid_oauth_code").await;

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
        let flow = authorize(&app, "/").await;
        let error = assert_error(callback(&app, &flow, &code).await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        assert_eq!(error["provider_code"], provider_code);
    }
    fake.tokens_become(TokenFate::Valid);

    // Down, hanging or answering garbage: 502 without a provider code, never a 500.
    for how in [Misbehaviour::Status(500), Misbehaviour::Garbage, Misbehaviour::Hang(std::time::Duration::from_secs(3))]
    {
        fake.misbehave(Endpoint::Token, how);
        fake.add_code("code-x", "OPENID", None);
        let flow = authorize(&app, "/").await;
        let error =
            assert_error(callback(&app, &flow, "code-x").await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
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
    let flow = authorize(&app, "/").await;
    let error = assert_error(callback(&app, &flow, "code-1").await, StatusCode::BAD_GATEWAY, "upstream_failed").await;
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
        let flow = authorize(&app, "/").await;

        let response = callback(&app, &flow, &code).await;

        assert_error(response, StatusCode::BAD_GATEWAY, "upstream_failed").await;
        assert_eq!(fake.requests_to(fake_qq::REDIRECT_TARGET), [], "{endpoint:?}");
        fake.behave();
    }
}
