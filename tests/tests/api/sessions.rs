use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{JWT_SECRET, assert_error, body, spawn_app};

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    let wrong_password = body(app.log_in("alice", "wrong-password").await).await;
    let unknown_account = body(app.log_in("nobody", "wrong-password").await).await;
    assert_eq!(wrong_password, unknown_account);
    assert_eq!(wrong_password["code"], "invalid_credentials");
    assert_eq!(wrong_password["non_field_errors"], json!(["用户名或密码错误"]));
    let response = app.log_in("13911112222", "correct-horse").await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_credentials").await;
}

#[tokio::test]
async fn empty_login_fields_are_required() {
    let app = spawn_app().await;
    let error =
        assert_error(app.post_json("/authorizations/", &json!({})).await, StatusCode::BAD_REQUEST, "required").await;
    assert_eq!(error["username"][0], "该字段是必填项。");
    assert_eq!(error["password"][0], "该字段是必填项。");
}

#[tokio::test]
async fn the_user_page_needs_a_valid_token() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;

    let error = assert_error(app.get("/user/").await, StatusCode::UNAUTHORIZED, "not_authenticated").await;
    assert_eq!(error["detail"], "身份认证信息未提供。");

    let garbled = app.client.get(app.url("/user/")).header("Authorization", "JWT abc.def.ghi").send().await.unwrap();
    assert_error(garbled, StatusCode::UNAUTHORIZED, "token_invalid").await;

    let wrong_scheme = app
        .client
        .get(app.url("/user/"))
        .header("Authorization", format!("Basic {}", registered["token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_error(wrong_scheme, StatusCode::UNAUTHORIZED, "token_invalid").await;

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let claims = json!({"user_id": registered["id"], "username": "alice", "exp": now - 5, "iat": now - 100, "jti": "x", "ver": 0});
    let expired = encode(&Header::default(), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).unwrap();
    let response = app.client.get(app.url("/user/")).bearer_auth(&expired).send().await.unwrap();
    let error = assert_error(response, StatusCode::UNAUTHORIZED, "token_expired").await;
    assert_eq!(error["detail"], "令牌已过期");

    let forged = encode(
        &Header::default(),
        &json!({"user_id": 1, "username": "alice", "exp": now + 100, "iat": now, "jti": "y", "ver": 0}),
        &EncodingKey::from_secret(b"another-secret-another-secret-another"),
    )
    .unwrap();
    let response = app.client.get(app.url("/user/")).bearer_auth(&forged).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "token_invalid").await;

    let ghost = encode(
        &Header::default(),
        &json!({"user_id": 999, "username": "ghost", "exp": now + 100, "iat": now, "jti": "z", "ver": 0}),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let response = app.client.get(app.url("/user/")).bearer_auth(&ghost).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "token_revoked").await;
}
