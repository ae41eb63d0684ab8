use reqwest::StatusCode;
use serde_json::json;

use crate::support::{body, spawn_app};

#[tokio::test]
async fn captcha_sms_code_registration_login_and_the_user_page() {
    let app = spawn_app().await;

    let id = uuid::Uuid::new_v4().to_string();
    let picture = app.get(&format!("/image_codes/{id}/")).await;
    assert_eq!(picture.status(), StatusCode::OK);
    assert_eq!(picture.headers()["content-type"], "image/png");
    assert_eq!(picture.headers()["cache-control"], "no-store");
    assert!(picture.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let outbox = app.dev_outbox().await;
    assert_eq!(outbox["captchas"][0]["id"], id.as_str());
    let text = outbox["captchas"][0]["text"].as_str().unwrap().to_owned();

    let sent =
        app.get(&format!("/sms_codes/+86%20138-0013-8000/?image_code_id={id}&text={}", text.to_lowercase())).await;
    assert_eq!(sent.status(), StatusCode::OK);
    assert_eq!(body(sent).await, json!({"message": "OK"}));
    // Delivery runs in the outbox worker, after the request returned.
    let code = app.last_code("13800138000").await;
    let outbox = app.dev_outbox().await;
    assert_eq!(outbox["messages"][0]["channel"], "sms");
    assert_eq!(outbox["messages"][0]["purpose"], "register");

    assert_eq!(body(app.get("/usernames/alice/count/").await).await, json!({"username": "alice", "count": 0}));
    let registered = app
        .post_json(
            "/users/",
            &json!({"username": "alice", "password": "correct-horse", "password2": "correct-horse",
                    "mobile": "13800138000", "sms_code": code, "allow": true}),
        )
        .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let registered = body(registered).await;
    assert_eq!(registered["username"], "alice");
    assert_eq!(registered["mobile"], "13800138000");
    assert!(registered["token"].as_str().unwrap().split('.').count() == 3);
    let user_id = registered["id"].as_i64().unwrap();

    assert_eq!(body(app.get("/usernames/alice/count/").await).await["count"], 1);
    assert_eq!(body(app.get("/mobiles/13800138000/count/").await).await["count"], 1);

    // Log in by username (JSON) and by mobile (classic urlencoded form).
    let by_name = body(app.log_in("alice", "correct-horse").await).await;
    assert_eq!(by_name["user_id"], user_id);
    assert_eq!(by_name["id"], user_id);
    assert_eq!(by_name["username"], "alice");
    assert_eq!(by_name["expires_in"], 86_400);
    let by_mobile = app
        .client
        .post(app.url("/authorizations/"))
        .form(&[("username", "138 0013 8000"), ("password", "correct-horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(by_mobile.status(), StatusCode::OK);
    let by_mobile = body(by_mobile).await;

    for header in [
        format!("JWT {}", by_name["token"].as_str().unwrap()),
        format!("Bearer {}", by_mobile["token"].as_str().unwrap()),
    ] {
        let me = app.client.get(app.url("/user/")).header("Authorization", header).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        let me = body(me).await;
        assert_eq!(me["id"], user_id);
        assert_eq!(me["username"], "alice");
        assert_eq!(me["mobile"], "13800138000");
        assert_eq!(me["email_active"], false);
        assert_eq!(me["gender"], "unknown");
        assert!(me["date_joined"].as_str().unwrap().ends_with('Z'));
        for key in ["email", "nickname", "avatar", "birthday", "address", "signature", "last_login"] {
            assert!(me.get(key).is_some(), "{key} missing from {me}");
        }
    }
}

#[tokio::test]
async fn the_registration_token_works_at_once() {
    let app = spawn_app().await;
    let registered = app.register("bobby", "13900139000").await;
    let me = app.client.get(app.url("/user/")).bearer_auth(registered["token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(body(me).await["username"], "bobby");
}
