use std::time::{Duration, Instant};

use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{JWT_SECRET, assert_error, body, spawn_app, spawn_app_with};

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

    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap();
    let claims = json!({"iss": "meiduo-accounts", "aud": "meiduo-mall", "token_type": "access", "user_id": registered["id"], "username": "alice", "exp": now - 5, "iat": now - 100, "jti": "x", "ver": 0});
    let expired = encode(&Header::default(), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).unwrap();
    let response = app.client.get(app.url("/user/")).bearer_auth(&expired).send().await.unwrap();
    let error = assert_error(response, StatusCode::UNAUTHORIZED, "token_expired").await;
    assert_eq!(error["detail"], "令牌已过期");

    let forged = encode(
        &Header::default(),
        &json!({"iss": "meiduo-accounts", "aud": "meiduo-mall", "token_type": "access", "user_id": 1, "username": "alice", "exp": now + 100, "iat": now, "jti": "y", "ver": 0}),
        &EncodingKey::from_secret(b"another-secret-another-secret-another"),
    )
    .unwrap();
    let response = app.client.get(app.url("/user/")).bearer_auth(&forged).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "token_invalid").await;

    let ghost = encode(
        &Header::default(),
        &json!({"iss": "meiduo-accounts", "aud": "meiduo-mall", "token_type": "access", "user_id": 999, "username": "ghost", "exp": now + 100, "iat": now, "jti": "z", "ver": 0}),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let response = app.client.get(app.url("/user/")).bearer_auth(&ghost).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "token_revoked").await;
}

/// The secret may be shared with other services (it keys their tokens too): a token of the
/// right key and claim shape passes only with this service's issuer, audience and type.
#[tokio::test]
async fn a_token_needs_the_issuer_audience_and_type_of_an_access_token() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()).unwrap();
    let claims = json!({
        "iss": "meiduo-accounts", "aud": "meiduo-mall", "token_type": "access", "user_id": registered["id"],
        "username": "alice", "exp": now + 100, "iat": now, "jti": "k", "ver": 0,
    });
    let sign = |header: &Header, claims: &serde_json::Value| {
        encode(header, claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).unwrap()
    };
    assert_eq!(user_page_status(&app, &sign(&Header::default(), &claims)).await, StatusCode::OK);

    let mut refused = Vec::new();
    for claim in ["iss", "aud", "token_type"] {
        let mut missing = claims.clone();
        missing.as_object_mut().unwrap().remove(claim);
        refused.push((format!("no {claim}"), sign(&Header::default(), &missing)));
        let mut wrong = claims.clone();
        wrong[claim] = json!("refresh");
        refused.push((format!("{claim} refresh"), sign(&Header::default(), &wrong)));
    }
    let untyped = Header { typ: None, ..Header::default() };
    refused.push(("no typ".into(), sign(&untyped, &claims)));
    for (case, token) in refused {
        let response = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(body(response).await["code"], "token_invalid", "{case}");
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_for_all_its_names_even_for_the_right_password() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    for _ in 0..5 {
        assert_error(app.log_in("alice", "wrong-password").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;
    }
    let response = app.log_in("alice", "correct-horse").await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((890..=900).contains(&retry_after), "{retry_after}");
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Locked through any of its names, as the account's names share one counter; but the lock
    // shows only for the name that reached it: the mobile's right password is not checked and
    // is answered like a wrong one.
    assert_error(app.log_in("13800138000", "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials")
        .await;
    // Another account is not held back.
    app.register("bobby", "13900139000").await;
    assert_eq!(app.log_in("bobby", "correct-horse").await.status(), StatusCode::OK);
}

/// With the default 15-minute window every failure here falls inside it, however
/// slowly the machine hashes: nothing depends on timing.
#[tokio::test]
async fn a_success_resets_the_account_failure_count() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    for _ in 0..4 {
        app.log_in("alice", "wrong-password").await;
    }
    assert_eq!(app.log_in("alice", "correct-horse").await.status(), StatusCode::OK);
    for _ in 0..4 {
        assert_eq!(app.log_in("alice", "wrong-password").await.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(app.log_in("alice", "wrong-password").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.log_in("alice", "correct-horse").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// One failure locks here, so only one request has to fall inside the short
/// window (a few hundred ms on a loaded machine, against 2 s); the end of the
/// lock is waited for, not slept for.
#[tokio::test]
async fn the_account_lock_ends_with_its_window() {
    const WINDOW: Duration = Duration::from_secs(2);
    let app = spawn_app_with(|config| {
        config.login_account_failures = 1;
        config.login_account_window_secs = WINDOW;
    })
    .await;
    app.register("alice", "13800138000").await;
    let failed_at = Instant::now();
    assert_eq!(app.log_in("alice", "wrong-password").await.status(), StatusCode::BAD_REQUEST);
    let locked = app.log_in("alice", "correct-horse").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=WINDOW.as_secs()).contains(&retry_after), "{retry_after}");

    let unlocked_after = loop {
        let status = app.log_in("alice", "correct-horse").await.status();
        if status == StatusCode::OK {
            break failed_at.elapsed();
        }
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(failed_at.elapsed() < WINDOW + Duration::from_secs(15), "the lock outlived its window by 15 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The lock began after `failed_at`, so it cannot have ended sooner than a window after it.
    assert!(unlocked_after >= WINDOW, "unlocked after {unlocked_after:?}");
}

#[tokio::test]
async fn an_unknown_account_locks_exactly_like_a_real_one() {
    let app = spawn_app().await;
    app.register("alice", "13800138000").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..6 {
        known.push(app.log_in("alice", "wrong-password").await.status());
        unknown.push(app.log_in("nobody", "wrong-password").await.status());
    }
    assert_eq!(known, unknown);
    assert_eq!(known.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn failures_from_one_address_lock_password_login_from_it() {
    let app = spawn_app_with(|config| config.login_ip_failures = 3).await;
    app.register("alice", "13800138000").await;
    for account in ["nobody1", "nobody2", "nobody3"] {
        assert_eq!(app.log_in(account, "wrong-password").await.status(), StatusCode::BAD_REQUEST);
    }
    assert_error(app.log_in("alice", "correct-horse").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn a_login_sets_last_login_and_every_attempt_is_audited() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    app.log_in("alice", "wrong-password").await;
    app.log_in("nobody", "wrong-password").await;
    let login = body(app.log_in("alice", "correct-horse").await).await;
    let me = app.client.get(app.url("/user/")).bearer_auth(login["token"].as_str().unwrap()).send().await.unwrap();
    assert!(body(me).await["last_login"].as_str().is_some_and(|at| at.ends_with('Z')));

    let events: Vec<(Option<i64>, String, String)> =
        sqlx::query_as("SELECT user_id, event, ip FROM audit_events ORDER BY id")
            .fetch_all(&app.database().await)
            .await
            .unwrap();
    let id = registered["id"].as_i64();
    assert_eq!(
        events,
        [
            (id, "login_failed".to_owned(), "127.0.0.1".to_owned()),
            (None, "login_failed".to_owned(), "127.0.0.1".to_owned()),
            (id, "login_succeeded".to_owned(), "127.0.0.1".to_owned()),
        ]
    );
}

/// An unknown account costs one dummy argon2 verification, so its answer takes
/// as long as a wrong password for a real account. Tries are interleaved and
/// medians compared, with a generous bound against a busy machine; without
/// the dummy hash the unknown account answers ~100x faster.
#[tokio::test]
async fn an_unknown_account_takes_as_long_as_a_wrong_password() {
    let app = spawn_app_with(|config| {
        config.login_account_failures = 0;
        config.login_ip_failures = 0;
    })
    .await;
    app.register("alice", "13800138000").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..15 {
        let started = std::time::Instant::now();
        assert_eq!(app.log_in("alice", "wrong-password").await.status(), StatusCode::BAD_REQUEST);
        known.push(started.elapsed());
        let started = std::time::Instant::now();
        assert_eq!(app.log_in("nobody", "wrong-password").await.status(), StatusCode::BAD_REQUEST);
        unknown.push(started.elapsed());
    }
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[7].as_secs_f64(), unknown[7].as_secs_f64());
    let ratio = unknown / known;
    assert!((0.5..2.0).contains(&ratio), "median known {known:.4}s, unknown {unknown:.4}s");
}

/// A stored value that is no usable hash pays the dummy argon2 verification, and an
/// imported Django hash (here 40 000 PBKDF2 rounds, several times an argon2 verification in a
/// debug build) is padded like every other verification to the costliest hash known, so
/// neither answers at a speed of its own. Without the padding the Django account answers
/// several times slower, and the unusable value ~100x faster.
#[tokio::test]
async fn an_unusable_stored_value_and_an_imported_hash_take_as_long_as_an_unknown_account() {
    let app = spawn_app_with(|config| {
        config.login_account_failures = 0;
        config.login_ip_failures = 0;
    })
    .await;
    let database = app.database().await;
    for (username, mobile, stored) in [
        ("broken", "13700137001", "not a phc string"),
        ("legacy", "13700137002", "pbkdf2_sha256$40000$Imp0rtedSalt40k$d11Y5JwQDnMD2P6GNvByRgNE3q2MuyobwbytUeUF3Q0="),
    ] {
        sqlx::query("INSERT INTO users (username, mobile, password_hash, date_joined) VALUES ($1, $2, $3, $4)")
            .bind(username)
            .bind(mobile)
            .bind(stored)
            .bind(chrono::Utc::now())
            .execute(&database)
            .await
            .unwrap();
    }
    // The imported hash is right, and a first try teaches the service what such a hash costs.
    assert_eq!(app.log_in("legacy", "wrong-password").await.status(), StatusCode::BAD_REQUEST);

    let mut times: [Vec<std::time::Duration>; 3] = Default::default();
    for _ in 0..11 {
        for (tries, username) in times.iter_mut().zip(["nobody", "broken", "legacy"]) {
            let started = std::time::Instant::now();
            assert_eq!(app.log_in(username, "wrong-password").await.status(), StatusCode::BAD_REQUEST);
            tries.push(started.elapsed());
        }
    }
    let [unknown, unusable, imported] = times.map(|mut tries| {
        tries.sort();
        tries[tries.len() / 2].as_secs_f64()
    });
    for (what, median) in [("unusable", unusable), ("imported", imported)] {
        let ratio = median / unknown;
        assert!((0.5..2.0).contains(&ratio), "median unknown {unknown:.4}s, {what} {median:.4}s");
    }
}

async fn user_page_status(app: &crate::support::TestApp, token: &str) -> StatusCode {
    app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap().status()
}

#[tokio::test]
async fn logout_ends_the_presented_token_only() {
    let app = spawn_app().await;
    let first = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    let second = body(app.log_in("alice", "correct-horse").await).await["token"].as_str().unwrap().to_owned();

    let response = app.client.post(app.url("/authorizations/logout/")).bearer_auth(&first).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.client.get(app.url("/user/")).bearer_auth(&first).send().await.unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "token_revoked").await;
    assert_eq!(user_page_status(&app, &second).await, StatusCode::OK);

    let again = app.client.post(app.url("/authorizations/logout/")).bearer_auth(&first).send().await.unwrap();
    assert_error(again, StatusCode::UNAUTHORIZED, "token_revoked").await;
    let anonymous = app.client.post(app.url("/authorizations/logout/")).send().await.unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "not_authenticated").await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_earlier_token() {
    let app = spawn_app().await;
    let first = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    let second = body(app.log_in("alice", "correct-horse").await).await["token"].as_str().unwrap().to_owned();
    let other_user = app.register("bobby", "13900139000").await["token"].as_str().unwrap().to_owned();

    let response = app.client.post(app.url("/user/sessions/revoke/")).bearer_auth(&second).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for token in [&first, &second] {
        assert_eq!(user_page_status(&app, token).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(user_page_status(&app, &other_user).await, StatusCode::OK);
    let fresh = body(app.log_in("alice", "correct-horse").await).await["token"].as_str().unwrap().to_owned();
    assert_eq!(user_page_status(&app, &fresh).await, StatusCode::OK);

    let events: Vec<(String,)> = sqlx::query_as("SELECT event FROM audit_events WHERE event = 'sessions_revoked'")
        .fetch_all(&app.database().await)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
}

async fn refresh(app: &crate::support::TestApp, token: &str) -> reqwest::Response {
    app.post_json("/authorizations/refresh/", &json!({"refresh_token": token})).await
}

#[tokio::test]
async fn a_refresh_token_is_exchanged_for_a_working_pair_once() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let first = registered["refresh_token"].as_str().unwrap().to_owned();
    let login = body(app.log_in("alice", "correct-horse").await).await;
    assert_eq!(login["refresh_token"].as_str().map(str::len), Some(64));

    let pair = body(refresh(&app, &first).await).await;
    assert_eq!(pair["expires_in"], 86_400);
    let next = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, first);
    assert_eq!(user_page_status(&app, pair["token"].as_str().unwrap()).await, StatusCode::OK);
    let again = body(refresh(&app, &next).await).await;
    assert!(again["token"].is_string());

    assert_error(refresh(&app, "not-a-token").await, StatusCode::UNAUTHORIZED, "token_invalid").await;
    assert_error(app.post_json("/authorizations/refresh/", &json!({})).await, StatusCode::BAD_REQUEST, "required")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replayed_refresh_token_locks_the_family_while_two_tabs_within_the_grace_keep_working() {
    let app = spawn_app_with(|config| config.refresh_reuse_grace_secs = Duration::from_secs(1)).await;
    let first = app.register("alice", "13800138000").await["refresh_token"].as_str().unwrap().to_owned();

    // Two tabs refresh with the same token at once: both get a working pair.
    let (tab_one, tab_two) = futures::join!(refresh(&app, &first), refresh(&app, &first));
    assert_eq!((tab_one.status(), tab_two.status()), (StatusCode::OK, StatusCode::OK));
    let tab_one = body(tab_one).await;
    let (tab_access, tab_one) =
        (tab_one["token"].as_str().unwrap().to_owned(), tab_one["refresh_token"].as_str().unwrap().to_owned());
    assert_eq!(
        app.client.get(app.url("/user/")).bearer_auth(&tab_access).send().await.unwrap().status(),
        StatusCode::OK
    );

    // An attacker replays the stolen first token after the grace window.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_error(refresh(&app, &first).await, StatusCode::UNAUTHORIZED, "token_revoked").await;
    // The whole session is gone, the legitimate tab's tokens included.
    assert_error(refresh(&app, &tab_one).await, StatusCode::UNAUTHORIZED, "token_invalid").await;
    let me = app.client.get(app.url("/user/")).bearer_auth(&tab_access).send().await.unwrap();
    assert_error(me, StatusCode::UNAUTHORIZED, "token_revoked").await;
    // Other sessions are untouched.
    let other = body(app.log_in("alice", "correct-horse").await).await["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(refresh(&app, &other).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_with_a_refresh_token_and_signing_out_everywhere_end_refresh_tokens_too() {
    let app = spawn_app().await;
    let registered = app.register("alice", "13800138000").await;
    let (access, refresh_token) =
        (registered["token"].as_str().unwrap().to_owned(), registered["refresh_token"].as_str().unwrap().to_owned());
    let response = app
        .client
        .post(app.url("/authorizations/logout/"))
        .bearer_auth(&access)
        .json(&json!({"refresh_token": refresh_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_error(refresh(&app, &refresh_token).await, StatusCode::UNAUTHORIZED, "token_invalid").await;

    let login = body(app.log_in("alice", "correct-horse").await).await;
    let other = body(app.log_in("alice", "correct-horse").await).await;
    let response = app
        .client
        .post(app.url("/user/sessions/revoke/"))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for session in [&login, &other] {
        let token = session["refresh_token"].as_str().unwrap();
        assert_error(refresh(&app, token).await, StatusCode::UNAUTHORIZED, "token_invalid").await;
    }
}

#[tokio::test]
async fn an_imported_django_account_logs_in_and_its_hash_is_upgraded_to_argon2id() {
    let app = spawn_app().await;
    app.register("someone", "13900139000").await;
    // As imported from the Django shop: Django's PBKDF2-SHA256 of `correct-horse`.
    let django = "pbkdf2_sha256$260000$Dj4ngoSaltV3ctor$fAUhPyLEOUd0QrZ6xhHQDPqV8opzpw4M0+O9Hs9DLwo=";
    let database = app.database().await;
    sqlx::query(
        "INSERT INTO users (username, mobile, password_hash, date_joined) VALUES ('legacy', '13700137000', $1, $2)",
    )
    .bind(django)
    .bind(chrono::Utc::now())
    .execute(&database)
    .await
    .unwrap();

    assert_error(app.log_in("legacy", "wrong-password").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;
    let login = app.log_in("13700137000", "correct-horse").await;
    assert_eq!(login.status(), StatusCode::OK);
    let stored: (String,) =
        sqlx::query_as("SELECT password_hash FROM users WHERE username = 'legacy'").fetch_one(&database).await.unwrap();
    assert!(stored.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", stored.0);
    assert_eq!(app.log_in("legacy", "correct-horse").await.status(), StatusCode::OK);
}

/// A token the account cache holds is answered from memory for reads, but a
/// write checks it against the stored account: here the account's token
/// version moved on outside the service (nothing announces that), and the
/// write is refused while a read still passes until the cache learns of it.
#[tokio::test]
async fn a_write_is_checked_against_the_stored_account_never_memory() {
    let app = spawn_app().await;
    let token = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let me = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
    }
    sqlx::query("UPDATE users SET token_version = token_version + 1").execute(&app.database().await).await.unwrap();
    let me = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "a read is answered from memory (the change was made outside the service)");

    let patch = app.client.patch(app.url("/user/")).bearer_auth(&token).json(&json!({"nickname": "x"})).send();
    assert_error(patch.await.unwrap(), StatusCode::UNAUTHORIZED, "token_revoked").await;
    let email = app.client.put(app.url("/email/")).bearer_auth(&token).json(&json!({"email": "mallory@example.com"}));
    assert_error(email.send().await.unwrap(), StatusCode::UNAUTHORIZED, "token_revoked").await;
    let revoke = app.client.post(app.url("/user/sessions/revoke/")).bearer_auth(&token).send().await.unwrap();
    assert_error(revoke, StatusCode::UNAUTHORIZED, "token_revoked").await;
}
