//! `POST /authorizations/sms/`: sign-in with the registration code sent to a
//! mobile, opening an account for a mobile without one; the code's attempt
//! cap and the per-address failure counter under simultaneous tries; with
//! `SMS_LOGIN_SIGNUP=false`, a mobile without an account answered like a wrong code.

use std::time::Duration;

use futures::future::join_all;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, assert_no_store, body, spawn_app, spawn_app_with};

const PATH: &str = "/authorizations/sms/";

/// A code that is not `code`.
fn wrong(code: &str) -> String {
    if code == "000000" { "111111".into() } else { "000000".into() }
}

/// A server that sends a new code to a mobile whenever asked (no resend wait).
fn resending(config: &mut bootstrap::Config) {
    config.code_resend_interval_secs = Duration::from_secs(0);
}

async fn sign_in(app: &TestApp, mobile: &str, code: &str) -> Response {
    app.post_json(PATH, &json!({"mobile": mobile, "sms_code": code})).await
}

/// Signs in with a fresh code for `mobile` and returns the 200 body.
async fn signed_in(app: &TestApp, mobile: &str) -> Value {
    let code = app.sms_code(mobile).await;
    let response = sign_in(app, mobile, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    body(response).await
}

async fn current_user(app: &TestApp, token: &Value) -> Value {
    let token = token.as_str().expect("a token");
    let response = app.client.get(app.url("/user/")).header("Authorization", format!("JWT {token}")).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await
}

async fn mobile_count(app: &TestApp, mobile: &str) -> Value {
    body(app.get(&format!("/mobiles/{mobile}/count/")).await).await["count"].clone()
}

#[tokio::test]
async fn a_registered_mobile_signs_in_with_its_code_which_is_then_spent() {
    let app = spawn_app_with(resending).await;
    let registered = app.register("alice", "13800138000").await;
    let code = app.sms_code("13800138000").await;
    let response = sign_in(&app, "+86 138-0013-8000", &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    let answer = body(response).await;
    assert_eq!((&answer["user_id"], &answer["id"]), (&registered["id"], &registered["id"]));
    assert_eq!((&answer["username"], &answer["created"]), (&json!("alice"), &json!(false)));
    assert_eq!(answer["expires_in"], 86_400);
    assert!(answer["refresh_token"].as_str().is_some_and(|token| token.len() == 64), "{answer}");
    assert_eq!(current_user(&app, &answer["token"]).await["username"], "alice");
    // The session refreshes like a password login's.
    let refreshed = app.post_json("/authorizations/refresh/", &json!({"refresh_token": answer["refresh_token"]})).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    // Single use.
    let again = assert_error(sign_in(&app, "13800138000", &code).await, StatusCode::BAD_REQUEST, "code_expired").await;
    assert_eq!(again["sms_code"][0], "验证码已过期或未发送");
    // The password still works.
    assert_eq!(app.log_in("13800138000", "correct-horse").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_mobile_gets_an_account_without_password_and_signs_in_to_it_again() {
    let app = spawn_app_with(resending).await;
    assert_eq!(mobile_count(&app, "13900139000").await, 0);
    let first = signed_in(&app, "13900139000").await;
    assert_eq!(first["created"], true);
    let username = first["username"].as_str().unwrap().to_owned();
    assert!(username.starts_with("m_") && username.len() == 12, "{username}");
    let me = current_user(&app, &first["token"]).await;
    assert_eq!(
        (&me["mobile"], &me["username"], &me["id"]),
        (&json!("13900139000"), &json!(username), &first["user_id"])
    );
    assert_eq!(mobile_count(&app, "13900139000").await, 1);
    let second = signed_in(&app, "13900139000").await;
    assert_eq!(
        (&second["created"], &second["user_id"], &second["username"]),
        (&json!(false), &first["user_id"], &json!(username))
    );
    // No password opens the account.
    for account in ["13900139000", username.as_str()] {
        assert_error(app.log_in(account, "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;
    }
}

/// A registered mobile signs in to its account and a new one gets an account
/// (`created`), which its next sign-in finds (`SMS_LOGIN_SIGNUP` on, no resend wait).
pub async fn assert_sms_sign_in_of_a_registered_and_of_a_new_mobile(app: &TestApp) {
    let registered = app.register("alice", "13800138000").await;
    let hers = signed_in(app, "13800138000").await;
    assert_eq!((&hers["user_id"], &hers["created"]), (&registered["id"], &json!(false)));
    assert_eq!(current_user(app, &hers["token"]).await["username"], "alice");
    let new = signed_in(app, "13900139000").await;
    assert_eq!(new["created"], true);
    assert_eq!(current_user(app, &new["token"]).await["mobile"], "13900139000");
    let again = signed_in(app, "13900139000").await;
    assert_eq!((&again["user_id"], &again["created"]), (&new["user_id"], &json!(false)));
    // Each SMS sign-in is in the account's history as one.
    let token = again["token"].as_str().unwrap();
    let history = app.client.get(app.url("/user/logins/")).bearer_auth(token).send().await.unwrap();
    let history = body(history).await;
    let methods: Vec<_> = history.as_array().unwrap().iter().map(|e| (&e["method"], &e["outcome"])).collect();
    assert_eq!(methods, vec![(&json!("sms"), &json!("success")); 2]);
}

#[tokio::test]
async fn a_registered_and_a_new_mobile_sign_in() {
    assert_sms_sign_in_of_a_registered_and_of_a_new_mobile(&spawn_app_with(resending).await).await;
}

#[tokio::test]
async fn a_code_that_registered_cannot_sign_in_and_a_classic_form_is_accepted() {
    let app = spawn_app_with(resending).await;
    let code = app.sms_code("13800138000").await;
    let registered = app.post_json("/users/", &TestApp::registration("alice", "13800138000", &code)).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    assert_error(sign_in(&app, "13800138000", &code).await, StatusCode::BAD_REQUEST, "code_expired").await;
    let code = app.sms_code("13800138000").await;
    let form = app.client.post(app.url("/authorizations/sms")).form(&[("mobile", "13800138000"), ("sms_code", &code)]);
    let response = form.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await["username"], "alice");
}

#[tokio::test]
async fn missing_or_malformed_fields_are_reported_on_their_field() {
    let app = spawn_app().await;
    let error = assert_error(app.post_json(PATH, &json!({})).await, StatusCode::BAD_REQUEST, "invalid_mobile").await;
    assert!(error["mobile"][0].is_string() && error["sms_code"][0].is_string(), "{error}");
    assert_error(sign_in(&app, "12345", "123456").await, StatusCode::BAD_REQUEST, "invalid_mobile").await;
    let error = assert_error(sign_in(&app, "13800138000", "12ab").await, StatusCode::BAD_REQUEST, "invalid_code").await;
    assert!(error.get("mobile").is_none(), "{error}");
    let garbled = app.client.post(app.url(PATH)).header("content-type", "application/json").body("{").send().await;
    assert_error(garbled.unwrap(), StatusCode::BAD_REQUEST, "malformed_body").await;
    let text = app.client.post(app.url(PATH)).header("content-type", "text/plain").body("x").send().await;
    assert_error(text.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
}

#[tokio::test]
async fn wrong_codes_burn_the_code_and_are_audited_as_failed_logins() {
    let app = spawn_app_with(resending).await;
    let registered = app.register("alice", "13800138000").await;
    let code = app.sms_code("13800138000").await;
    for attempts_left in (1..=4).rev() {
        let error =
            assert_error(sign_in(&app, "13800138000", &wrong(&code)).await, StatusCode::BAD_REQUEST, "code_wrong")
                .await;
        assert_eq!(error["sms_code"][0], format!("验证码错误，还可尝试{attempts_left}次"));
    }
    assert_error(sign_in(&app, "13800138000", &wrong(&code)).await, StatusCode::BAD_REQUEST, "code_exhausted").await;
    assert_error(sign_in(&app, "13800138000", &code).await, StatusCode::BAD_REQUEST, "code_expired").await;
    // A wrong code for a mobile that is nobody's is audited without a user.
    let other = app.sms_code("13900139000").await;
    assert_error(sign_in(&app, "13900139000", &wrong(&other)).await, StatusCode::BAD_REQUEST, "code_wrong").await;
    signed_in(&app, "13800138000").await;
    let events: Vec<(Option<i64>, String)> =
        sqlx::query_as("SELECT user_id, event FROM audit_events WHERE event LIKE 'login_%' ORDER BY id")
            .fetch_all(&app.database().await)
            .await
            .unwrap();
    let alice = registered["id"].as_i64();
    let mut expected = vec![(alice, "login_failed".to_owned()); 6];
    expected.push((None, "login_failed".into()));
    expected.push((alice, "login_succeeded".into()));
    assert_eq!(events, expected);
}

/// Counts simultaneous answers: (evaluated wrong codes, codes found spent or
/// burned, refusals with a Retry-After); anything else fails.
async fn outcomes(responses: Vec<Response>) -> (usize, usize, usize) {
    let (mut evaluated, mut gone, mut refused) = (0, 0, 0);
    for response in responses {
        let status = response.status();
        let retry_after = response.headers().contains_key("retry-after");
        let answer = body(response).await;
        match (status, answer["code"].as_str()) {
            (StatusCode::BAD_REQUEST, Some("code_wrong" | "code_exhausted")) => evaluated += 1,
            (StatusCode::BAD_REQUEST, Some("code_expired")) => gone += 1,
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")) if retry_after => refused += 1,
            other => panic!("unexpected {other:?}: {answer}"),
        }
    }
    (evaluated, gone, refused)
}

/// Six simultaneous wrong codes for one mobile: at most `CODE_MAX_ATTEMPTS`
/// (5) are evaluated, the last of them burning the code, which the right
/// code then finds gone.
pub async fn assert_six_simultaneous_wrong_codes_evaluate_at_most_the_attempts(app: &TestApp) {
    let code = app.sms_code("13800138000").await;
    let bad = wrong(&code);
    let burst = join_all((0..6).map(|_| sign_in(app, "13800138000", &bad))).await;
    let (evaluated, gone, refused) = outcomes(burst).await;
    assert_eq!((evaluated, gone, refused), (5, 1, 0));
    assert_error(sign_in(app, "13800138000", &code).await, StatusCode::BAD_REQUEST, "code_expired").await;
}

/// Wrong codes for as many mobiles from one address whose failure limit
/// (`LOGIN_IP_FAILURES`) is 3: exactly 3 are evaluated, and the address's
/// right code and password are refused too while the lock lasts.
pub async fn assert_wrong_codes_from_one_address_are_limited_with_its_passwords(app: &TestApp) {
    let mut tries = Vec::new();
    for i in 0..6 {
        let mobile = format!("1370000{i:04}");
        let code = app.sms_code(&mobile).await;
        tries.push((mobile, wrong(&code)));
    }
    let burst = join_all(tries.iter().map(|(mobile, code)| sign_in(app, mobile, code))).await;
    assert_eq!(outcomes(burst).await, (3, 0, 3));
    let code = app.sms_code("13800138000").await;
    assert_error(sign_in(app, "13800138000", &code).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_error(app.log_in("alice", "wrong-password").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// Simultaneous first sign-ins of one new mobile with its code: one opens the
/// account, the others find the code spent; one account, no 500.
pub async fn assert_simultaneous_first_sign_ins_open_one_account(app: &TestApp) {
    let code = app.sms_code("13900139000").await;
    let burst = join_all((0..8).map(|_| sign_in(app, "13900139000", &code))).await;
    let mut created = 0;
    for response in burst {
        match response.status() {
            StatusCode::OK => {
                assert_eq!(body(response).await["created"], true);
                created += 1;
            }
            _ => {
                assert_error(response, StatusCode::BAD_REQUEST, "code_expired").await;
            }
        }
    }
    assert_eq!(created, 1);
    assert_eq!(mobile_count(app, "13900139000").await, 1);
}

#[tokio::test]
async fn six_simultaneous_wrong_codes_evaluate_at_most_the_attempts() {
    assert_six_simultaneous_wrong_codes_evaluate_at_most_the_attempts(&spawn_app().await).await;
}

#[tokio::test]
async fn wrong_codes_from_one_address_are_limited_with_its_passwords() {
    let app = spawn_app_with(|config| {
        config.login_ip_failures = 3;
        config.code_ip_hourly_limit = 0;
    })
    .await;
    assert_wrong_codes_from_one_address_are_limited_with_its_passwords(&app).await;
}

#[tokio::test]
async fn simultaneous_first_sign_ins_open_one_account() {
    assert_simultaneous_first_sign_ins_open_one_account(&spawn_app().await).await;
}

#[tokio::test]
async fn without_sign_up_a_new_mobile_is_answered_exactly_like_a_wrong_code() {
    let app = spawn_app_with(|config| {
        config.sms_login_signup = false;
        resending(config);
    })
    .await;
    app.register("alice", "13800138000").await;
    let (hers, nobodys) = (app.sms_code("13800138000").await, app.sms_code("13900139000").await);
    let first_wrong = body(sign_in(&app, "13800138000", &wrong(&hers)).await).await;
    assert_eq!(first_wrong["code"], "code_wrong");
    // The right code of a mobile without an account answers what a first wrong try does.
    let response = sign_in(&app, "13900139000", &nobodys).await;
    assert_eq!((response.status(), response.headers().contains_key("retry-after")), (StatusCode::BAD_REQUEST, false));
    assert_eq!(body(response).await, first_wrong);
    assert_eq!(mobile_count(&app, "13900139000").await, 0);
    // Spent, like any accepted code.
    assert_error(sign_in(&app, "13900139000", &nobodys).await, StatusCode::BAD_REQUEST, "code_expired").await;
    // Wrong tries answer as for an account, try by try.
    let (hers, nobodys) = (app.sms_code("13800138000").await, app.sms_code("13900139000").await);
    for _ in 0..4 {
        let theirs = body(sign_in(&app, "13900139000", &wrong(&nobodys)).await).await;
        assert_eq!(theirs, body(sign_in(&app, "13800138000", &wrong(&hers)).await).await);
    }
    // A registered mobile still signs in.
    let response = sign_in(&app, "13800138000", &hers).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await["created"], false);
}

#[tokio::test]
async fn answers_carry_cors_headers_and_are_counted_by_route_template() {
    let app = spawn_app().await;
    let origin = "http://localhost:8080";
    let code = app.sms_code("13900139000").await;
    for sms_code in [wrong(&code), code] {
        let response = app
            .client
            .post(app.url(PATH))
            .header("origin", origin)
            .json(&json!({"mobile": "13900139000", "sms_code": sms_code}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], origin);
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for status in ["200", "400"] {
        let series = format!(
            r#"accounts_http_requests_total{{method="POST",route="/authorizations/sms/",status="{status}"}} 1"#
        );
        assert!(metrics.contains(&series), "{series} missing: {metrics}");
    }
}
