use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, body, spawn_app};

async fn patch(app: &TestApp, token: &str, changes: Value) -> reqwest::Response {
    app.client.patch(app.url("/user/")).bearer_auth(token).json(&changes).send().await.unwrap()
}

#[tokio::test]
async fn the_profile_is_changed_field_by_field_and_shown_on_the_user_page() {
    let app = spawn_app().await;
    let token = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();

    let changes = json!({"nickname": " 小明 ", "gender": "male", "birthday": "1990-05-17",
                         "avatar": "https://img.example.com/a.png", "address": "北京市海淀区", "signature": "hello"});
    let updated = patch(&app, &token, changes).await;
    assert_eq!(updated.status(), StatusCode::OK);
    let updated = body(updated).await;
    assert_eq!(updated["nickname"], "小明");
    assert_eq!(updated["birthday"], "1990-05-17");

    // Absent fields stay; null clears.
    let updated = body(patch(&app, &token, json!({"signature": null, "gender": "female"})).await).await;
    assert_eq!((updated["signature"].clone(), updated["gender"].clone()), (Value::Null, json!("female")));
    let me = body(app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(me["nickname"], "小明");
    assert_eq!(me["address"], "北京市海淀区");
    assert_eq!(me["avatar"], "https://img.example.com/a.png");
    assert_eq!(me["signature"], Value::Null);
}

#[tokio::test]
async fn invalid_fields_are_all_reported_and_nothing_changes() {
    let app = spawn_app().await;
    let token = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    patch(&app, &token, json!({"nickname": "before"})).await;

    let changes = json!({"nickname": "after", "avatar": "javascript:alert(1)", "gender": "robot",
                         "birthday": "2999-01-01", "signature": "x".repeat(201)});
    let error = assert_error(patch(&app, &token, changes).await, StatusCode::BAD_REQUEST, "invalid_profile").await;
    assert_eq!(error["avatar"][0], "头像必须是 http(s) 链接");
    for field in ["gender", "birthday", "signature"] {
        assert!(error.get(field).is_some(), "{field} missing in {error}");
    }
    let me = body(app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(me["nickname"], "before");

    let malformed = json!({"birthday": "17/05/1990"});
    let error = assert_error(patch(&app, &token, malformed).await, StatusCode::BAD_REQUEST, "invalid_profile").await;
    assert_eq!(error["birthday"][0], "生日格式应为 YYYY-MM-DD");
}

#[tokio::test]
async fn the_profile_needs_a_valid_token() {
    let app = spawn_app().await;
    let response = app.client.patch(app.url("/user/")).json(&json!({"nickname": "x"})).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}
