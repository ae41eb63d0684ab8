//! `GET /metrics`: what it counts, and whom it answers.
#![allow(clippy::float_cmp, reason = "the counters are whole numbers, exact in f64")]

use reqwest::StatusCode;

use crate::support::{TestApp, assert_error, spawn_app, spawn_app_with};

async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("metrics text")
}

/// The value of the sample named exactly `series` (name and labels), 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.trim().parse::<f64>().ok()))
        .unwrap_or(0.0)
}

#[tokio::test]
async fn requests_are_counted_and_timed_by_route_template_and_status() {
    let app = spawn_app_with(|config| config.availability_ip_per_minute = 1).await;
    let live = r#"accounts_http_requests_total{method="GET",route="/health/live/",status="200"}"#;
    let before = sample(&scrape(&app).await, live);
    for path in ["/health/live/", "/health/live/", "/health/live"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK);
    }
    assert_eq!(app.get("/usernames/metrics_user/count/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/usernames/metrics_user/count/").await.status(), StatusCode::TOO_MANY_REQUESTS);

    let text = scrape(&app).await;
    assert_eq!(sample(&text, live) - before, 3.0, "{text}");
    let timed = r#"accounts_http_request_duration_seconds_count{method="GET",route="/health/live/"}"#;
    assert!(sample(&text, timed) >= 3.0, "{text}");
    let counted = r#"accounts_http_requests_total{method="GET",route="/usernames/{username}/count/",status="429"}"#;
    assert_eq!(sample(&text, counted), 1.0, "{text}");
    let limited = r#"accounts_limits_hit_total{method="GET",route="/usernames/{username}/count/"}"#;
    assert_eq!(sample(&text, limited), 1.0, "{text}");
    assert!(!text.contains("metrics_user"), "a path value reached the metrics: {text}");
    for series in [
        "accounts_password_hashes_waiting ",
        "accounts_password_hashes_running ",
        r#"accounts_outbox_messages{status="pending"} "#,
        r#"accounts_outbox_messages{status="dead"} "#,
    ] {
        assert!(text.contains(series), "{series} missing: {text}");
    }
}

#[tokio::test]
async fn a_registration_is_counted_and_leaves_no_hash_waiting_or_running() {
    let app = spawn_app_with(|config| config.code_ip_hourly_limit = 0).await;
    let user = app.register("metrics_alice", "13800138071").await;
    assert!(user["token"].is_string(), "{user}");
    let text = scrape(&app).await;
    let registered = r#"accounts_http_requests_total{method="POST",route="/users/",status="201"}"#;
    assert_eq!(sample(&text, registered), 1.0, "{text}");
    // Nothing hashes between two requests.
    assert_eq!(sample(&text, "accounts_password_hashes_running"), 0.0, "{text}");
    assert_eq!(sample(&text, "accounts_password_hashes_waiting"), 0.0, "{text}");
}

#[tokio::test]
async fn a_client_outside_metrics_allow_gets_404() {
    let app = spawn_app_with(|config| config.metrics_allow = "10.0.0.0/8".parse().unwrap()).await;
    assert_error(app.get("/metrics").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_forwarded_request_from_an_untrusted_peer_gets_404_even_from_loopback() {
    let app = spawn_app().await;
    for (header, value) in [("x-forwarded-for", "127.0.0.1"), ("forwarded", "for=127.0.0.1"), ("x-real-ip", "::1")] {
        let response = app.client.get(app.url("/metrics")).header(header, value).send().await.expect("request");
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_must_be_allowed() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
        config.metrics_allow = "10.1.2.3".parse().unwrap();
    })
    .await;
    let from = |client: &'static str| app.client.get(app.url("/metrics")).header("x-forwarded-for", client).send();
    assert_eq!(from("10.1.2.3").await.expect("request").status(), StatusCode::OK);
    assert_error(from("203.0.113.9").await.expect("request"), StatusCode::NOT_FOUND, "not_found").await;
    // The proxy itself is not in the list.
    assert_error(app.get("/metrics").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_account_cache_shows_its_hits_misses_and_that_it_listens() {
    let app = spawn_app_with(|config| config.code_ip_hourly_limit = 0).await;
    let user = app.register("metrics_carol", "13800138072").await;
    let token = user["token"].as_str().expect("token");
    let before = scrape(&app).await;
    for _ in 0..3 {
        let read = app.client.get(app.url("/user/")).bearer_auth(token).send().await.expect("request");
        assert_eq!(read.status(), StatusCode::OK);
    }
    let text = scrape(&app).await;
    let (hits, misses) = ("accounts_account_cache_hits_total", "accounts_account_cache_misses_total");
    assert_eq!(sample(&text, misses) - sample(&before, misses), 1.0, "the first read goes to the database: {text}");
    assert_eq!(sample(&text, hits) - sample(&before, hits), 2.0, "the next two come from memory: {text}");
    assert_eq!(sample(&text, "accounts_account_cache_listening"), 1.0, "{text}");
}

#[tokio::test]
async fn availability_checks_show_whether_the_taken_names_filter_answered() {
    let app = spawn_app_with(|config| config.code_ip_hourly_limit = 0).await;
    app.register("metrics_dave", "13800138073").await;
    let mut text = scrape(&app).await;
    for _ in 0..100 {
        if sample(&text, "accounts_taken_names_filter_ready") == 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        text = scrape(&app).await;
    }
    assert_eq!(sample(&text, "accounts_taken_names_filter_ready"), 1.0, "built at start: {text}");
    let (memory, database) =
        ("accounts_availability_checks_from_memory_total", "accounts_availability_checks_from_database_total");
    for path in ["/usernames/metrics_free/count/", "/usernames/Metrics_Dave/count/", "/mobiles/13800138073/count/"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK);
    }
    let after = scrape(&app).await;
    assert_eq!(sample(&after, memory) - sample(&text, memory), 1.0, "the free name, from memory: {after}");
    assert_eq!(sample(&after, database) - sample(&text, database), 2.0, "the taken ones, asked: {after}");
}
