use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, body, spawn_app};

async fn change(app: &TestApp, token: &str, id: &Value, old: &str, new: &str) -> reqwest::Response {
    let form = json!({"old_password": old, "password": new, "password2": new});
    app.client.put(app.url(&format!("/users/{id}/password/"))).bearer_auth(token).json(&form).send().await.unwrap()
}

#[tokio::test]
async fn a_changed_password_ends_every_session_and_works_at_the_next_login() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let (token, id) = (registered["token"].as_str().unwrap().to_owned(), registered["id"].clone());
    let refresh = registered["refresh_token"].as_str().unwrap().to_owned();

    let response = change(&app, &token, &id, "correct-horse", "battery-staple").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"message": "OK"}));

    let me = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
    assert_error(me, StatusCode::UNAUTHORIZED, "token_revoked").await;
    let refreshed = app.post_json("/authorizations/refresh/", &json!({"refresh_token": refresh})).await;
    assert_error(refreshed, StatusCode::UNAUTHORIZED, "token_invalid").await;
    assert_eq!(app.log_in("alice", "correct-horse").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.log_in("alice", "battery-staple").await.status(), StatusCode::OK);

    let events: Vec<(String,)> = sqlx::query_as("SELECT event FROM audit_events WHERE event = 'password_changed'")
        .fetch_all(&app.database().await)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn every_refusal_has_its_answer() {
    let app = spawn_app().await;
    let alice = app.register("alice", "13800138000").await;
    let bobby = app.register("bobby", "13900139000").await;
    let (token, id) = (alice["token"].as_str().unwrap().to_owned(), alice["id"].clone());

    let error = assert_error(
        change(&app, &token, &id, "wrong-password", "battery-staple").await,
        StatusCode::BAD_REQUEST,
        "wrong_password",
    )
    .await;
    assert_eq!(error["old_password"][0], "原密码错误");
    assert_error(
        change(&app, &token, &id, "correct-horse", "short").await,
        StatusCode::BAD_REQUEST,
        "invalid_password",
    )
    .await;
    let mismatch = json!({"old_password": "correct-horse", "password": "battery-staple", "password2": "battery-stapl"});
    let response = app
        .client
        .put(app.url(&format!("/users/{id}/password/")))
        .bearer_auth(&token)
        .json(&mismatch)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::BAD_REQUEST, "password_mismatch").await;
    assert_error(
        change(&app, &token, &bobby["id"], "correct-horse", "battery-staple").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        change(&app, &token, &json!("abc"), "correct-horse", "battery-staple").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let anonymous = app.client.put(app.url(&format!("/users/{id}/password/"))).json(&mismatch).send().await.unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;

    // Wrong current passwords count toward the account's lock (one so far; four more lock it).
    for _ in 0..4 {
        change(&app, &token, &id, "wrong-password", "battery-staple").await;
    }
    let locked = change(&app, &token, &id, "correct-horse", "battery-staple").await;
    assert_error(locked, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}
