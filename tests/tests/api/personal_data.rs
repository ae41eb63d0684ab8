//! `GET /user/data/`: a copy of everything the service holds about the person.

use reqwest::StatusCode;
use reqwest::header::CONTENT_DISPOSITION;
use serde_json::{Value, json};

use crate::signed_in_sessions::{IPHONE_SAFARI, WINDOWS_CHROME, log_in_from};
use crate::support::{TestApp, assert_error, assert_no_store, body, spawn_app};

async fn export(app: &TestApp, token: &str) -> reqwest::Response {
    app.client.get(app.url("/user/data/")).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn the_copy_holds_the_account_profile_sessions_and_audit_trail_and_no_secret() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let id = registered["id"].as_i64().unwrap();
    log_in_from(&app, IPHONE_SAFARI, "alice", "wrong-horse").await;
    let login = body(log_in_from(&app, WINDOWS_CHROME, "alice", "correct-horse").await).await;
    let token = login["token"].as_str().unwrap();
    let patched = app
        .client
        .patch(app.url("/user/"))
        .bearer_auth(token)
        .json(&json!({"nickname": "小爱", "address": "北京市海淀区"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);

    let response = export(&app, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    let disposition = response.headers().get(CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).unwrap();
    assert_eq!(disposition, format!("attachment; filename=\"meiduo-account-{id}.json\""));
    let text = response.text().await.unwrap();
    let copy: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(copy["account"]["id"], id);
    assert_eq!(copy["account"]["username"], "alice");
    assert_eq!(copy["account"]["mobile"], "13800138000");
    assert_eq!(copy["account"]["has_password"], true);
    assert_eq!(copy["profile"]["nickname"], "小爱");
    assert_eq!(copy["profile"]["address"], "北京市海淀区");
    assert_eq!(copy["bindings"], json!([]));
    let sessions = copy["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "the registration's session and the login's");
    assert!(sessions.iter().any(|s| s["device"] == "Chrome on Windows" && s["ip"] == "127.0.0.1"));
    let events: Vec<(&str, Option<&str>)> = copy["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["method"].as_str()))
        .collect();
    assert_eq!(
        events,
        vec![("data_exported", None), ("login_succeeded", Some("password")), ("login_failed", Some("password"))]
    );
    assert!(copy["exported_at"].is_string());
    // What only proves things to the service stays out.
    for secret in ["argon2", login["refresh_token"].as_str().unwrap(), "password_hash", "token_version"] {
        assert!(!text.contains(secret), "the copy holds {secret}");
    }
}

#[tokio::test]
async fn another_user_s_copy_is_their_own_and_a_token_is_needed() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    let bobby = app.register("bobby", "13900139000").await;
    let copy = body(export(&app, bobby["token"].as_str().unwrap()).await).await;
    assert_eq!(copy["account"]["username"], "bobby");
    assert!(!copy.to_string().contains("13800138000"));
    let anonymous = app.client.get(app.url("/user/data/")).send().await.unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}
