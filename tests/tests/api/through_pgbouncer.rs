//! The journey, the sessions flows and a registration race on PostgreSQL
//! through PgBouncer in transaction mode (`DATABASE_POOLER=transaction`) and
//! Redis. The instance opens more client connections than PgBouncer keeps
//! server connections for its database (CI's `default_pool_size` is 4), so
//! simultaneous requests share server connections between transactions.

use std::time::Duration;

use bootstrap::config::DatabasePooler;
use reqwest::StatusCode;
use serde_json::json;
use test_support::backends::{backend_url, fresh_pooled_postgres};

use crate::support::{TestApp, assert_error, body, spawn_app_with};

/// A server on a fresh database reached through PgBouncer, migrated over a
/// direct connection first as a deployment does (`meiduo-accounts migrate`),
/// and on a fresh Redis key prefix.
async fn spawn_pooled_app(test: &str) -> Option<TestApp> {
    spawn_pooled_app_with(test, |_| {}).await
}

/// [`spawn_pooled_app`] with the test defaults changed by `configure`.
async fn spawn_pooled_app_with(test: &str, configure: impl FnOnce(&mut bootstrap::Config)) -> Option<TestApp> {
    let admin = backend_url("TEST_DATABASE_URL", test)?;
    let pooled = backend_url("TEST_POOLED_DATABASE_URL", test)?;
    let redis = backend_url("TEST_REDIS_URL", test)?;
    let database = fresh_pooled_postgres(&admin, &pooled, "pooled_api").await;
    let direct = storage::Database::connect(&database.direct_url, Duration::from_secs(5)).await.unwrap();
    direct.migrate().await.unwrap();
    direct.close().await;
    Some(
        spawn_app_with(|config| {
            config.database_url = Some(database.pooled_url.into());
            config.database_pooler = DatabasePooler::Transaction;
            config.auto_migrate = false;
            config.database_max_connections = 16;
            config.redis_url = Some(redis.into());
            config.redis_key_prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
            configure(config);
        })
        .await,
    )
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/authorizations/refresh/", &json!({"refresh_token": token})).await
}

async fn user_page(app: &TestApp, access: &str) -> reqwest::Response {
    app.client.get(app.url("/user/")).bearer_auth(access).send().await.unwrap()
}

fn text(value: &serde_json::Value) -> String {
    value.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn register_log_in_and_read_the_user_through_pgbouncer() {
    let Some(app) = spawn_pooled_app("through_pgbouncer::journey").await else { return };
    assert_eq!(body(app.get("/health/ready/").await).await["status"], "ok");
    let registered = app.register("alice", "13800138000").await;
    assert_eq!(body(app.get("/usernames/ALICE/count/").await).await["count"], 1);
    let login = body(app.log_in("13800138000", "correct-horse").await).await;
    assert_eq!(login["user_id"], registered["id"]);
    let me = user_page(&app, login["token"].as_str().unwrap()).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(body(me).await["username"], "alice");
    assert_eq!(body(app.get("/health/ready/").await).await["status"], "ok");
    // The outbox gauges are read from PostgreSQL's table.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"accounts_outbox_messages{status="dead"} 0"#), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_tokens_rotate_and_logouts_end_them_through_pgbouncer() {
    let Some(app) = spawn_pooled_app("through_pgbouncer::sessions").await else { return };
    let registered = app.register("alice", "13800138000").await;
    let first = text(&registered["refresh_token"]);

    // Two tabs refresh with the same token at once: both get the one successor.
    let (tab_one, tab_two) = futures::join!(refresh(&app, &first), refresh(&app, &first));
    assert_eq!((tab_one.status(), tab_two.status()), (StatusCode::OK, StatusCode::OK));
    let (tab_one, tab_two) = (body(tab_one).await, body(tab_two).await);
    assert_eq!(tab_one["refresh_token"], tab_two["refresh_token"]);
    assert_eq!(user_page(&app, tab_one["token"].as_str().unwrap()).await.status(), StatusCode::OK);
    let next = text(&body(refresh(&app, &text(&tab_one["refresh_token"])).await).await["refresh_token"]);

    // A logout with the refresh token ends it and the access token.
    let access = text(&registered["token"]);
    let logout = app
        .client
        .post(app.url("/authorizations/logout/"))
        .bearer_auth(&access)
        .json(&json!({"refresh_token": next}))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    assert_error(refresh(&app, &next).await, StatusCode::UNAUTHORIZED, "token_invalid").await;
    assert_error(user_page(&app, &access).await, StatusCode::UNAUTHORIZED, "token_revoked").await;

    // Signing out everywhere ends every other session.
    let login = body(app.log_in("alice", "correct-horse").await).await;
    let other = body(app.log_in("alice", "correct-horse").await).await;
    let response =
        app.client.post(app.url("/user/sessions/revoke/")).bearer_auth(text(&login["token"])).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for session in [&login, &other] {
        assert_error(refresh(&app, &text(&session["refresh_token"])).await, StatusCode::UNAUTHORIZED, "token_invalid")
            .await;
        assert_eq!(user_page(&app, &text(&session["token"])).await.status(), StatusCode::UNAUTHORIZED);
    }
}

/// Six accounts each rotate their session eight times, all at once: every
/// pair obtained belongs to its own account. A statement answered with
/// another statement's result would show up as someone else's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_rotations_of_several_accounts_each_get_their_own_sessions_through_pgbouncer() {
    let Some(app) = spawn_pooled_app("through_pgbouncer::rotations").await else { return };
    let mut sessions = Vec::new();
    for i in 0..6 {
        let username = format!("rotor{i}");
        let registered = app.register(&username, &format!("1360000{i:04}")).await;
        sessions.push((username, text(&registered["refresh_token"])));
    }
    let chains = sessions.into_iter().map(|(username, mut token)| {
        let app = &app;
        async move {
            for _ in 0..8 {
                let response = refresh(app, &token).await;
                assert_eq!(response.status(), StatusCode::OK, "{username}");
                let pair = body(response).await;
                let page = user_page(app, pair["token"].as_str().unwrap()).await;
                assert_eq!(page.status(), StatusCode::OK, "{username}");
                assert_eq!(body(page).await["username"], username.as_str());
                token = text(&pair["refresh_token"]);
            }
        }
    });
    futures::future::join_all(chains).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_eight_concurrent_registrations_of_one_username_give_one_account_through_pgbouncer() {
    // Every contender asks for a code from this one address.
    let Some(app) = spawn_pooled_app_with("through_pgbouncer::concurrent_registrations", |config| {
        config.code_ip_hourly_limit = 100;
        config.captcha_ip_per_minute = 100;
    })
    .await
    else {
        return;
    };
    app.assert_one_of_concurrent_registrations_wins(48).await;
}
