//! Backing services going away and coming back: 503s with the error body,
//! bounded waits, unaffected requests keep working, recovery without restart.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use test_support::backends::{backend_url, fresh_postgres_url};

use crate::redis_server::RedisServer;
use crate::support::{TestApp, assert_error, body, spawn_app_with};
use test_support::tcp_proxy::TcpProxy;

/// Polls `probe` until it returns true, for at most 15 s.
async fn eventually(what: &str, mut probe: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if probe().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 15 s");
}

#[tokio::test]
async fn a_redis_outage_gives_503_only_where_redis_is_needed_and_heals_by_itself() {
    let Some(mut redis) = RedisServer::start("failures::redis_outage").await else { return };
    let url = redis.url();
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url.into());
        // Short enough for the bounded-wait check below, with room for a round
        // trip on a machine busy with other builds once Redis is back.
        config.cache_timeout_ms = Duration::from_secs(1);
    })
    .await;
    let registered = app.register("alice", "13800138000").await;
    let token = registered["token"].as_str().unwrap().to_owned();

    redis.stop();
    let started = Instant::now();
    let captcha = app.get(&format!("/image_codes/{}/", uuid::Uuid::new_v4())).await;
    assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
    assert_error(captcha, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;

    let ready = app.get("/health/ready/").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body(ready).await["checks"], json!({"cache": "down", "database": "up"}));

    // Password login fails closed: without its failure counters it would
    // allow unlimited guessing. Token-authenticated reads do not need the cache.
    assert_error(app.log_in("alice", "correct-horse").await, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable")
        .await;
    let me = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    redis.resume().await;
    eventually("the captcha endpoint recovering", async || {
        app.get(&format!("/image_codes/{}/", uuid::Uuid::new_v4())).await.status() == StatusCode::OK
    })
    .await;
    eventually("readiness recovering", async || app.get("/health/ready/").await.status() == StatusCode::OK).await;
    // Ready means every request works again, though some pooled connections
    // may still be on their reconnect backoff: commands go to one that is up.
    assert_eq!(app.request_sms_code("13900139000").await.status(), StatusCode::OK);
    let code = app.last_code("13900139000").await;
    let response = app.post_json("/users/", &TestApp::registration("bobby", "13900139000", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// After an outage the pool's connections come back one by one, each on its
/// own backoff (a reconnection that times out under load waits up to 2 s more).
/// Here Redis is back for one connection only: once the service says it is
/// ready, every request must already work, not only those that happen to be
/// sent on that connection.
/// An instance started while Redis is down starts (readiness 503, captchas
/// 503) and works once Redis is up, without a restart.
#[tokio::test]
async fn an_instance_started_while_redis_is_down_works_once_redis_is_up() {
    let Some(mut redis) = RedisServer::start("failures::started_without_redis").await else { return };
    redis.stop();
    let url = redis.url();
    let app = spawn_app_with(|config| {
        config.redis_url = Some(url.into());
        config.cache_timeout_ms = Duration::from_secs(1);
    })
    .await;
    assert_eq!(app.get("/health/ready/").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    let captcha = app.get(&format!("/image_codes/{}/", uuid::Uuid::new_v4())).await;
    assert_error(captcha, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;

    redis.resume().await;
    eventually("readiness once Redis is up", async || app.get("/health/ready/").await.status() == StatusCode::OK).await;
    let captcha = app.get(&format!("/image_codes/{}/", uuid::Uuid::new_v4())).await;
    assert_eq!(captcha.status(), StatusCode::OK);
}

#[tokio::test]
async fn once_ready_after_a_redis_outage_requests_do_not_wait_for_every_connection() {
    let Some(direct) = backend_url("TEST_REDIS_URL", "failures::redis_partly_back") else { return };
    let host_port = direct.trim_start_matches("redis://").trim_end_matches('/');
    let upstream = tokio::net::lookup_host(host_port).await.unwrap().next().unwrap();
    let proxy = TcpProxy::start(upstream).await;
    let app = spawn_app_with(|config| {
        config.redis_url = Some(format!("redis://{}", proxy.address()).into());
        config.redis_key_prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
        // Nothing here times how long an outage takes to answer; a roomy timeout
        // keeps a round trip slowed by a starved machine from looking like one.
        config.cache_timeout_ms = Duration::from_secs(2);
    })
    .await;

    proxy.cut().await;
    eventually("readiness noticing the outage", async || {
        app.get("/health/ready/").await.status() == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    // Three connections through: the account-change publisher and subscriber
    // may take two (they reconnect as eagerly as the pool does), so at least
    // one of the cache pool's four comes back, and at least one stays down.
    proxy.restore_for(3);
    eventually("readiness recovering", async || app.get("/health/ready/").await.status() == StatusCode::OK).await;
    // Each failed login runs the failure-counter script, one Redis round trip
    // per request; round-robin over the pool would send most of them to a
    // connection that is still down.
    for attempt in 0..8 {
        let response = app.log_in(&format!("nobody{attempt}"), "wrong-password").await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_credentials").await;
    }
}

#[tokio::test]
async fn a_database_outage_gives_503_only_where_the_database_is_needed_and_heals_by_itself() {
    let Some(admin) = backend_url("TEST_DATABASE_URL", "failures::database_outage") else { return };
    let direct = fresh_postgres_url(&admin, "api").await;
    let (before_host, rest) = direct.split_once('@').expect("a URL with user@host");
    let (host_port, after_host) = rest.split_once('/').expect("a URL with a database");
    let upstream = tokio::net::lookup_host(host_port).await.unwrap().next().unwrap();
    let proxy = TcpProxy::start(upstream).await;
    let proxied = format!("{before_host}@{}/{after_host}", proxy.address());
    let app = spawn_app_with(|config| {
        config.database_url = Some(proxied.into());
        config.database_timeout_secs = Duration::from_secs(1);
    })
    .await;
    let registered = app.register("alice", "13800138000").await;
    let token = registered["token"].as_str().unwrap().to_owned();

    proxy.cut().await;
    let started = Instant::now();
    let login = app.log_in("alice", "correct-horse").await;
    assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
    assert_error(login, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
    let me = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
    assert_error(me, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
    let ready = app.get("/health/ready/").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body(ready).await["checks"], json!({"cache": "up", "database": "down"}));
    // Captchas live in the cache, not the database.
    assert_eq!(app.get(&format!("/image_codes/{}/", uuid::Uuid::new_v4())).await.status(), StatusCode::OK);
    // A code that cannot be queued is not sent, and costs no part of the allowance.
    let code = app.request_sms_code("13900139000").await;
    assert_error(code, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;

    proxy.restore();
    eventually("login recovering", async || app.log_in("alice", "correct-horse").await.status() == StatusCode::OK)
        .await;
    assert_eq!(app.get("/health/ready/").await.status(), StatusCode::OK);
    // No 60 s resend wait after the failed request: the code goes out at once.
    assert_eq!(app.request_sms_code("13900139000").await.status(), StatusCode::OK);
}
