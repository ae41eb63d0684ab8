//! Binding an email (`PUT /email/`) and verifying it by the mailed link.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, body, spawn_app, spawn_app_with};

async fn put_email(app: &TestApp, token: &str, email: &str) -> reqwest::Response {
    app.client.put(app.url("/email/")).bearer_auth(token).json(&json!({"email": email})).send().await.unwrap()
}

async fn me(app: &TestApp, token: &str) -> Value {
    body(app.client.get(app.url("/user/")).header("Authorization", format!("JWT {token}")).send().await.unwrap()).await
}

/// Waits for the verification mail to `to` and returns its link.
async fn link_sent_to(app: &TestApp, to: &str, already: usize) -> String {
    for _ in 0..200 {
        let outbox = app.dev_outbox().await;
        let links: Vec<String> = outbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["to"] == to && m["purpose"] == "verify_email")
            .filter_map(|m| m["link"].as_str().map(str::to_owned))
            .collect();
        if links.len() > already {
            return links[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no verification mail to {to}")
}

fn token_of(link: &str) -> &str {
    link.split_once("token=").map(|(_, token)| token).expect("token in the link")
}

#[tokio::test]
async fn a_person_binds_and_verifies_an_email() {
    let app = spawn_app_with(|config| {
        config.email_verification_url = "https://shop.example.com/success_verify_email.html".into();
    })
    .await;
    let registered = app.register("alice", "13800138000").await;
    let token = registered["token"].as_str().unwrap();

    let response = put_email(&app, token, "Alice@Example.com").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"id": registered["id"], "email": "alice@example.com"}));
    let user = me(&app, token).await;
    assert_eq!((user["email"].as_str(), user["email_active"].as_bool()), (Some("alice@example.com"), Some(false)));

    let link = link_sent_to(&app, "alice@example.com", 0).await;
    assert!(link.starts_with("https://shop.example.com/success_verify_email.html?token="), "{link}");
    let outbox = app.dev_outbox().await;
    assert_eq!(
        (outbox["messages"][0]["channel"].as_str(), outbox["messages"][0]["code"].as_str()),
        (Some("email"), None)
    );

    let response = app.get(&format!("/emails/verification/?token={}", token_of(&link))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"message": "OK"}));
    assert_eq!(me(&app, token).await["email_active"], true);
    // Opening the link again is harmless.
    assert_eq!(app.get(&format!("/emails/verification/?token={}", token_of(&link))).await.status(), StatusCode::OK);

    let database = app.database().await;
    let events: Vec<(String,)> =
        sqlx::query_as("SELECT event FROM audit_events WHERE event IN ('email_changed', 'email_verified') ORDER BY id")
            .fetch_all(&database)
            .await
            .unwrap();
    assert_eq!(events, [("email_changed".to_owned(),), ("email_verified".to_owned(),), ("email_verified".to_owned(),)]);
}

#[tokio::test]
async fn a_bad_forged_or_outdated_link_is_refused() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    let registered = app.register("alice", "13800138000").await;
    let token = registered["token"].as_str().unwrap();
    put_email(&app, token, "alice@example.com").await;
    let first = link_sent_to(&app, "alice@example.com", 0).await;
    // The address changes before the first link is opened: that link no longer verifies anything.
    put_email(&app, token, "alice@example.org").await;
    link_sent_to(&app, "alice@example.org", 0).await;

    for query in
        [format!("token={}", token_of(&first)), "token=garbage".into(), String::new(), format!("token={token}")]
    {
        let response = app.get(&format!("/emails/verification/?{query}")).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_link").await;
        assert_eq!(error["message"], "无效的激活链接");
    }
    assert_eq!(me(&app, token).await["email_active"], false);
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let app = spawn_app_with(|config| config.email_verification_ttl_secs = Duration::from_secs(1)).await;
    let registered = app.register("alice", "13800138000").await;
    put_email(&app, registered["token"].as_str().unwrap(), "alice@example.com").await;
    let link = link_sent_to(&app, "alice@example.com", 0).await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let response = app.get(&format!("/emails/verification/?token={}", token_of(&link))).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_link").await;
}

#[tokio::test]
async fn binding_needs_a_token_a_valid_free_address_and_keeps_the_send_limits() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(1)).await;
    let alice = app.register("alice", "13800138000").await;
    let bob = app.register("bob_1", "13900139000").await;
    let alice_token = alice["token"].as_str().unwrap();

    let response = app.client.put(app.url("/email/")).json(&json!({"email": "a@example.com"})).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "not_authenticated").await;
    assert_error(put_email(&app, alice_token, "nope").await, StatusCode::BAD_REQUEST, "invalid_email").await;

    assert_eq!(put_email(&app, bob["token"].as_str().unwrap(), "bob@example.com").await.status(), StatusCode::OK);
    // Taken once bob has verified it (until then it blocks nobody).
    let link = link_sent_to(&app, "bob@example.com", 0).await;
    assert_eq!(app.get(&format!("/emails/verification/?token={}", token_of(&link))).await.status(), StatusCode::OK);
    let error =
        assert_error(put_email(&app, alice_token, "BOB@example.com").await, StatusCode::BAD_REQUEST, "already_taken")
            .await;
    assert_eq!(error["email"][0], "邮箱已被注册");

    assert_eq!(put_email(&app, alice_token, "alice@example.com").await.status(), StatusCode::OK);
    let response = put_email(&app, alice_token, "alice@example.com").await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(put_email(&app, alice_token, "alice@example.com").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_verified_address_again_changes_nothing_and_mails_nothing() {
    let app = spawn_app().await;
    let code = app.email_code("quinn@example.com", "register").await;
    let form = json!({"username": "quinn", "password": "correct-horse", "password2": "correct-horse",
        "email": "quinn@example.com", "email_code": code, "allow": true});
    let registered = body(app.post_json("/users/", &form).await).await;
    let response = put_email(&app, registered["token"].as_str().unwrap(), "quinn@example.com").await;
    assert_eq!(response.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let outbox = app.dev_outbox().await;
    assert!(outbox["messages"].as_array().unwrap().iter().all(|m| m["purpose"] != "verify_email"));
    assert_eq!(me(&app, registered["token"].as_str().unwrap()).await["email_active"], true);
}

/// Registers `username` by email with the code mailed to `email`; returns the 201 body.
async fn register_by_email(app: &TestApp, username: &str, email: &str) -> Value {
    let code = app.email_code(email, "register").await;
    let form = json!({"username": username, "password": "correct-horse", "password2": "correct-horse",
        "email": email, "email_code": code, "allow": true});
    let response = app.post_json("/users/", &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await
}

#[tokio::test]
async fn an_address_squatted_without_verification_blocks_nobody_and_its_owner_keeps_it() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    let mallory = app.register("mallory", "13900139000").await;
    let mallory_token = mallory["token"].as_str().unwrap();
    assert_eq!(put_email(&app, mallory_token, "victim@example.com").await.status(), StatusCode::OK);
    let squatted = link_sent_to(&app, "victim@example.com", 0).await;

    // The address is not taken: not for availability, not for the owner's registration.
    let count = body(app.get("/emails/victim@example.com/count/").await).await;
    assert_eq!(count, json!({"email": "victim@example.com", "count": 0}));
    let victim = register_by_email(&app, "victim", "victim@example.com").await;
    assert_eq!(victim["email"], "victim@example.com");
    assert_eq!(body(app.get("/emails/victim@example.com/count/").await).await["count"], 1);
    assert_eq!(body(app.log_in("victim@example.com", "correct-horse").await).await["id"], victim["id"]);

    // The squatter's link now loses to the owner: 409, and the address stays the owner's.
    let response = app.get(&format!("/emails/verification/?token={}", token_of(&squatted))).await;
    let error = assert_error(response, StatusCode::CONFLICT, "already_taken").await;
    assert_eq!(error["email"][0], "邮箱已被注册");
    assert_eq!(body(app.log_in("victim@example.com", "correct-horse").await).await["id"], victim["id"]);
    let user = me(&app, mallory_token).await;
    assert_eq!((user["email"].as_str(), user["email_active"].as_bool()), (Some("victim@example.com"), Some(false)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_accounts_verifying_one_address_at_once_give_one_owner() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    assert_accounts_verifying_one_address_at_once_give_one_owner(&app).await;
}

/// Four accounts ask for one address, then open their links at once: one
/// owns it, three get 409. Needs no resend interval.
pub async fn assert_accounts_verifying_one_address_at_once_give_one_owner(app: &TestApp) {
    let mut links = Vec::new();
    for (i, mobile) in ["13800138000", "13900139000", "13700137000", "13600136000"].into_iter().enumerate() {
        let registered = app.register(&format!("racer_{i}"), mobile).await;
        assert_eq!(
            put_email(app, registered["token"].as_str().unwrap(), "prize@example.com").await.status(),
            StatusCode::OK
        );
        let link = link_sent_to(app, "prize@example.com", i).await;
        links.push(link);
    }
    let paths: Vec<String> =
        links.iter().map(|link| format!("/emails/verification/?token={}", token_of(link))).collect();
    let responses = futures::future::join_all(paths.iter().map(|path| app.get(path))).await;
    let mut answers = Vec::new();
    for response in responses {
        answers.push((response.status(), body(response).await));
    }
    assert_eq!(answers.iter().filter(|(status, _)| *status == StatusCode::OK).count(), 1, "{answers:?}");
    // Every loser learns that another account verified the address first.
    let lost: Vec<_> = answers.iter().filter(|(status, _)| *status != StatusCode::OK).collect();
    assert_eq!(lost.len(), 3, "{answers:?}");
    for (status, answer) in lost {
        assert_eq!((*status, answer["code"].as_str()), (StatusCode::CONFLICT, Some("already_taken")), "{answer}");
    }
    assert_eq!(body(app.get("/emails/prize@example.com/count/").await).await["count"], 1);
}

#[tokio::test]
async fn a_link_mailed_before_a_password_change_is_dead() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    put_email(&app, registered["token"].as_str().unwrap(), "alice@example.com").await;
    let link = link_sent_to(&app, "alice@example.com", 0).await;
    // A password change bumps the token version, as a reset or a sign-out everywhere does.
    let form = json!({"old_password": "correct-horse", "password": "battery-staple", "password2": "battery-staple"});
    let path = format!("/users/{}/password/", registered["id"]);
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(registered["token"].as_str().unwrap())
        .json(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let response = app.get(&format!("/emails/verification/?token={}", token_of(&link))).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_link").await;
    let token = body(app.log_in("alice", "battery-staple").await).await["token"].as_str().unwrap().to_owned();
    let user = me(&app, &token).await;
    assert_eq!((user["email"].as_str(), user["email_active"].as_bool()), (Some("alice@example.com"), Some(false)));
}

#[tokio::test]
async fn a_new_address_waits_while_the_verified_one_keeps_working_and_going_back_calls_it_off() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    let registered = register_by_email(&app, "quinn", "quinn@example.com").await;
    let token = registered["token"].as_str().unwrap();

    let response = put_email(&app, token, "quinn@example.org").await;
    assert_eq!(body(response).await, json!({"id": registered["id"], "email": "quinn@example.org"}));
    let user = me(&app, token).await;
    assert_eq!((user["email"].as_str(), user["email_active"].as_bool()), (Some("quinn@example.org"), Some(false)));
    // Until the new address is verified, the old one logs in and is taken; the new one is not.
    assert_eq!(app.log_in("quinn@example.com", "correct-horse").await.status(), StatusCode::OK);
    assert_eq!(body(app.get("/emails/quinn@example.com/count/").await).await["count"], 1);
    assert_eq!(body(app.get("/emails/quinn@example.org/count/").await).await["count"], 0);
    let pending_link = link_sent_to(&app, "quinn@example.org", 0).await;

    // Back to the verified address: the change is called off, and its link verifies nothing.
    let response = put_email(&app, token, "quinn@example.com").await;
    assert_eq!(body(response).await, json!({"id": registered["id"], "email": "quinn@example.com"}));
    assert_eq!(me(&app, token).await["email_active"], true);
    let response = app.get(&format!("/emails/verification/?token={}", token_of(&pending_link))).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_link").await;
}

#[tokio::test]
async fn links_mailed_before_a_password_reset_or_a_sign_out_everywhere_are_dead() {
    let app = spawn_app_with(|config| config.code_resend_interval_secs = Duration::from_secs(0)).await;
    let registered = app.register("alice", "13800138000").await;
    put_email(&app, registered["token"].as_str().unwrap(), "alice@example.com").await;
    let before_reset = link_sent_to(&app, "alice@example.com", 0).await;

    // Find password, all four steps.
    let (id, text) = app.captcha().await;
    let started = body(app.get(&format!("/accounts/alice/sms/token/?image_code_id={id}&text={text}")).await).await;
    let already = app.codes_sent_to("13800138000").await.len();
    let step_one = started["access_token"].as_str().unwrap();
    assert_eq!(app.get(&format!("/sms_codes/?access_token={step_one}")).await.status(), StatusCode::OK);
    let code = app.wait_for_code("13800138000", already).await;
    let confirmed = body(app.get(&format!("/accounts/alice/password/token/?sms_code={code}")).await).await;
    let form =
        json!({"password": "battery-staple", "password2": "battery-staple", "access_token": confirmed["access_token"]});
    let response = app.post_json(&format!("/users/{}/password/", registered["id"]), &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app.get(&format!("/emails/verification/?token={}", token_of(&before_reset))).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_link").await;

    // A link mailed after the reset works until a sign-out everywhere.
    let token = body(app.log_in("alice", "battery-staple").await).await["token"].as_str().unwrap().to_owned();
    put_email(&app, &token, "alice@example.com").await;
    let before_sign_out = link_sent_to(&app, "alice@example.com", 1).await;
    assert_ne!(before_sign_out, before_reset);
    let response = app.client.post(app.url("/user/sessions/revoke/")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.get(&format!("/emails/verification/?token={}", token_of(&before_sign_out))).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_link").await;
}
