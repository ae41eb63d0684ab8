//! Readiness and Redis's eviction policy: an evicting Redis could drop spent
//! tokens, code attempts and locks before their time, so it is no ready cache.

use reqwest::StatusCode;
use serde_json::json;

use crate::redis_server::RedisServer;
use crate::support::{TestApp, body, spawn_app_with};

/// A private `redis-server` started with `settings`, and the service on it;
/// `None` when there is no `redis-server` to start (see [`RedisServer::start`]).
async fn app_on_redis(test: &str, settings: &[&str]) -> Option<(RedisServer, TestApp)> {
    let redis = RedisServer::start_with(test, settings).await?;
    let url = redis.url();
    let app = spawn_app_with(|config| config.redis_url = Some(url.into())).await;
    Some((redis, app))
}

#[tokio::test]
async fn an_evicting_redis_makes_the_service_unready_naming_the_policy() {
    let Some((_redis, app)) = app_on_redis("readiness::evicting", &["--maxmemory-policy", "allkeys-lru"]).await else {
        return;
    };
    let ready = app.get("/health/ready/").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let answer = body(ready).await;
    assert_eq!(
        (answer["status"].as_str(), &answer["checks"]),
        (Some("unavailable"), &json!({"cache": "misconfigured", "database": "up"}))
    );
    let problem = answer["problems"]["cache"].as_str().unwrap_or_default();
    assert!(problem.contains("allkeys-lru") && problem.contains("noeviction"), "{answer}");
}

#[tokio::test]
async fn with_config_disabled_the_policy_is_read_from_info() {
    let Some((_redis, app)) =
        app_on_redis("readiness::info", &["--maxmemory-policy", "volatile-ttl", "--rename-command", "CONFIG", ""])
            .await
    else {
        return;
    };
    let ready = app.get("/health/ready/").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let answer = body(ready).await;
    assert!(answer["problems"]["cache"].as_str().unwrap_or_default().contains("volatile-ttl"), "{answer}");
}

#[tokio::test]
async fn the_policy_is_asked_once_every_few_seconds_and_a_fix_is_seen_without_restart() {
    let Some((redis, app)) = app_on_redis("readiness::cached", &["--maxmemory-policy", "allkeys-lfu"]).await else {
        return;
    };
    for _ in 0..20 {
        assert_eq!(app.get("/health/ready/").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    // Start-up asked once; the probes within the next seconds reuse that answer
    // (a slow machine may need one more).
    let stats = redis.command(&["INFO", "commandstats"]).await;
    let calls = stats
        .lines()
        // Redis 7 counts `config|get`, earlier versions `config`.
        .find_map(|line| {
            line.strip_prefix("cmdstat_config|get:calls=").or_else(|| line.strip_prefix("cmdstat_config:calls="))
        })
        .and_then(|rest| rest.split(',').next())
        .and_then(|calls| calls.parse::<u32>().ok())
        .unwrap_or_default();
    assert!((1..=2).contains(&calls), "CONFIG asked {calls} times: {stats}");

    assert_eq!(redis.command(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]).await, "+OK");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.get("/health/ready/").await.status() != StatusCode::OK {
        assert!(std::time::Instant::now() < deadline, "still unready 15 s after the policy was fixed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_redis_that_never_evicts_is_ready() {
    let Some((_redis, app)) = app_on_redis("readiness::noeviction", &["--maxmemory-policy", "noeviction"]).await else {
        return;
    };
    let ready = app.get("/health/ready/").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(body(ready).await, json!({"status": "ok", "checks": {"cache": "up", "database": "up"}}));
}

#[tokio::test]
async fn a_redis_that_will_not_tell_its_policy_is_trusted() {
    // Managed services rename CONFIG away and may restrict INFO too.
    let Some((_redis, app)) = app_on_redis(
        "readiness::unreported",
        &["--maxmemory-policy", "allkeys-lru", "--rename-command", "CONFIG", "", "--rename-command", "INFO", ""],
    )
    .await
    else {
        return;
    };
    assert_eq!(app.get("/health/ready/").await.status(), StatusCode::OK);
}
