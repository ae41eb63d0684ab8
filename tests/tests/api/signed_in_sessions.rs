//! `GET /user/sessions/`, `DELETE /user/sessions/{id}/` and `GET /user/logins/`:
//! where a person is signed in, ending one session, and their sign-in history.

use reqwest::StatusCode;
use reqwest::header::USER_AGENT;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, assert_no_store, body, spawn_app};

pub const WINDOWS_CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
pub const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A password login from a device with this User-Agent.
pub async fn log_in_from(app: &TestApp, agent: &str, account: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/authorizations/"))
        .header(USER_AGENT, agent)
        .json(&json!({"username": account, "password": password}))
        .send()
        .await
        .unwrap()
}

pub async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.client.get(app.url("/user/sessions/")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    body(response).await.as_array().unwrap().clone()
}

pub async fn end_session(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.client.delete(app.url(&format!("/user/sessions/{id}/"))).bearer_auth(token).send().await.unwrap()
}

async fn sign_ins(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.client.get(app.url(&format!("/user/logins/{query}"))).bearer_auth(token).send().await.unwrap()
}

async fn refresh_from(app: &TestApp, agent: &str, refresh_token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/authorizations/refresh/"))
        .header(USER_AGENT, agent)
        .json(&json!({"refresh_token": refresh_token}))
        .send()
        .await
        .unwrap()
}

async fn status_of_user_page(app: &TestApp, token: &str) -> StatusCode {
    app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap().status()
}

/// The `sid` claim of an access token: the session it names.
fn session_of(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn two_sessions_from_two_devices_are_listed_and_ending_one_leaves_the_other() {
    assert_two_sessions_from_two_devices_are_listed_and_ending_one_leaves_the_other(&spawn_app().await).await;
}

pub async fn assert_two_sessions_from_two_devices_are_listed_and_ending_one_leaves_the_other(app: &TestApp) {
    app.register("alice", "13800138000").await;
    let laptop = body(log_in_from(app, WINDOWS_CHROME, "alice", "correct-horse").await).await;
    let phone = body(log_in_from(app, IPHONE_SAFARI, "13800138000", "correct-horse").await).await;
    let (laptop_token, phone_token) = (laptop["token"].as_str().unwrap(), phone["token"].as_str().unwrap());

    let listed = sessions(app, phone_token).await;
    // The registration's own session, then the two logins, the latest used first.
    assert_eq!(listed.len(), 3, "{listed:?}");
    let find = |token: &str| listed.iter().find(|s| s["id"] == session_of(token).as_str()).unwrap().clone();
    let (on_laptop, on_phone) = (find(laptop_token), find(phone_token));
    assert_eq!(listed[0]["id"], on_phone["id"]);
    assert_eq!(
        (on_laptop["device"].as_str(), on_laptop["current"].as_bool()),
        (Some("Chrome on Windows"), Some(false))
    );
    assert_eq!((on_phone["device"].as_str(), on_phone["current"].as_bool()), (Some("Safari on iPhone"), Some(true)));
    assert_eq!(on_phone["ip"], "127.0.0.0/24");
    assert!(on_phone["created_at"].is_string() && on_phone["last_used_at"].is_string());

    // The phone ends the laptop's session.
    let ended = end_session(app, phone_token, on_laptop["id"].as_str().unwrap()).await;
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    let refused = app.client.get(app.url("/user/")).bearer_auth(laptop_token).send().await.unwrap();
    assert_error(refused, StatusCode::UNAUTHORIZED, "token_revoked").await;
    let laptop_refresh = laptop["refresh_token"].as_str().unwrap();
    assert_error(refresh_from(app, WINDOWS_CHROME, laptop_refresh).await, StatusCode::UNAUTHORIZED, "token_invalid")
        .await;
    // The phone goes on, and refreshes.
    assert_eq!(status_of_user_page(app, phone_token).await, StatusCode::OK);
    let refreshed = refresh_from(app, IPHONE_SAFARI, phone["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let listed = sessions(app, phone_token).await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|s| s["id"] != on_laptop["id"]));
    // Ending it again: it is not a signed-in session any more.
    let again = end_session(app, phone_token, on_laptop["id"].as_str().unwrap()).await;
    assert_error(again, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn another_user_s_session_is_not_found_and_stays() {
    let app = &spawn_app().await;
    let alice = app.register("alice", "13800138000").await;
    let bobby = app.register("bobby", "13900139000").await;
    let (alice_token, bobby_token) = (alice["token"].as_str().unwrap(), bobby["token"].as_str().unwrap());
    let alice_session = session_of(alice_token);

    assert_error(end_session(app, bobby_token, &alice_session).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(end_session(app, bobby_token, "no-such-session").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(status_of_user_page(app, alice_token).await, StatusCode::OK);
    assert_eq!(sessions(app, bobby_token).await.len(), 1, "bobby sees only his own");

    let anonymous = app.client.get(app.url("/user/sessions/")).send().await.unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;
    let anonymous = app.client.delete(app.url(&format!("/user/sessions/{alice_session}/"))).send().await.unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}

#[tokio::test]
async fn ending_the_current_session_is_a_logout() {
    let app = &spawn_app().await;
    let alice = app.register("alice", "13800138000").await;
    let token = alice["token"].as_str().unwrap();
    assert_eq!(end_session(app, token, &session_of(token)).await.status(), StatusCode::NO_CONTENT);
    let refused = app.client.get(app.url("/user/sessions/")).bearer_auth(token).send().await.unwrap();
    assert_error(refused, StatusCode::UNAUTHORIZED, "token_revoked").await;

    let events: Vec<(String,)> = sqlx::query_as("SELECT event FROM audit_events WHERE event = 'session_ended'")
        .fetch_all(&app.database().await)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "ending a session is audited");
}

#[tokio::test]
async fn the_sign_in_history_shows_sign_ins_refusals_and_refreshes_newest_first() {
    assert_the_sign_in_history_shows_sign_ins_refusals_and_refreshes_newest_first(&spawn_app().await).await;
}

pub async fn assert_the_sign_in_history_shows_sign_ins_refusals_and_refreshes_newest_first(app: &TestApp) {
    let alice = app.register("alice", "13800138000").await;
    app.register("bobby", "13900139000").await;
    let wrong = log_in_from(app, IPHONE_SAFARI, "alice", "wrong-horse").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let login = body(log_in_from(app, WINDOWS_CHROME, "alice", "correct-horse").await).await;
    let refreshed = refresh_from(app, WINDOWS_CHROME, login["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    log_in_from(app, WINDOWS_CHROME, "bobby", "wrong-horse").await;

    let response = sign_ins(app, alice["token"].as_str().unwrap(), "").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    let history = body(response).await;
    let seen: Vec<(&str, &str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
                e["device"].as_str().unwrap(),
                e["ip"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("refresh", "success", "Chrome on Windows", "127.0.0.0/24"),
            ("password", "success", "Chrome on Windows", "127.0.0.0/24"),
            ("password", "wrong_password", "Safari on iPhone", "127.0.0.0/24"),
        ]
    );
    assert!(history[0]["at"].is_string());

    let one = body(sign_ins(app, alice["token"].as_str().unwrap(), "?limit=1").await).await;
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    assert_eq!(one[0]["method"], "refresh");
    for bad in ["?limit=0", "?limit=101", "?limit=ten", "?limit=-1"] {
        let refused = sign_ins(app, alice["token"].as_str().unwrap(), bad).await;
        let body = assert_error(refused, StatusCode::BAD_REQUEST, "out_of_range").await;
        assert!(body["limit"][0].is_string(), "{bad}: {body}");
    }
    let anonymous = app.client.get(app.url("/user/logins/")).send().await.unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}
