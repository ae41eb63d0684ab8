//! Captchas are rationed per client and cannot crowd the in-process cache.

use futures::future::join_all;
use reqwest::StatusCode;

use crate::support::{TestApp, assert_error, body, spawn_app_with};

fn captcha_path() -> String {
    format!("/image_codes/{}/", uuid::Uuid::new_v4())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_captcha_requests_gets_exactly_the_limit_through_and_the_rest_a_429() {
    let app = spawn_app_with(captcha_burst_config).await;
    assert_a_captcha_burst_gets_exactly_the_limit_through(&app).await;
}

/// Five captchas a minute per client, and enough drawing slots that none of a
/// burst is shed for want of one.
pub fn captcha_burst_config(config: &mut bootstrap::Config) {
    config.captcha_ip_per_minute = 5;
    config.captcha_render_concurrency = 16;
}

/// Sixteen simultaneous captcha requests under [`captcha_burst_config`]: five drawn, the rest 429.
pub async fn assert_a_captcha_burst_gets_exactly_the_limit_through(app: &TestApp) {
    let paths: Vec<String> = (0..16).map(|_| captcha_path()).collect();
    let responses = join_all(paths.iter().map(|path| app.get(path))).await;
    let mut drawn = 0;
    for response in responses {
        match response.status() {
            StatusCode::OK => drawn += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!((1..=60).contains(&retry_after), "{retry_after}");
                let error = body(response).await;
                assert_eq!(error["code"], "rate_limited", "{error}");
            }
            other => panic!("unexpected {other}: {}", body(response).await),
        }
    }
    assert_eq!(drawn, 5);
    assert_error(app.get(&captcha_path()).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// With room for 20 entries, one client draws 60 captchas; the code and the
/// limits taken before the flood survive it, and the next person still gets a
/// captcha, a code, an account and a login.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_captcha_flood_evicts_only_captchas_and_everyone_else_keeps_working() {
    let app = spawn_app_with(|config| {
        config.memory_cache_capacity = 20;
        config.captcha_ip_per_minute = 0;
        config.captcha_render_concurrency = 10;
    })
    .await;
    let before = app.sms_code("13800138000").await;

    for _ in 0..6 {
        let paths: Vec<String> = (0..10).map(|_| captcha_path()).collect();
        for response in join_all(paths.iter().map(|path| app.get(path))).await {
            assert_eq!(response.status(), StatusCode::OK);
        }
    }

    // The resend limit of the first mobile is still there...
    assert_error(app.request_sms_code("13800138000").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // ...and so is its code.
    let response = app.post_json("/users/", &TestApp::registration("before_flood", "13800138000", &before)).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{}", body(response).await);
    // Somebody new goes through the whole journey.
    app.register("after_flood", "13900139000").await;
    assert_eq!(app.log_in("after_flood", "correct-horse").await.status(), StatusCode::OK);
}
