//! Failure limits under a burst: simultaneous wrong passwords get exactly as
//! many evaluated answers as the limit allows, every other one a 429 with its
//! wait, and a lock is audited once.

use futures::future::join_all;
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::support::{TestApp, assert_error, spawn_app, spawn_app_with};

const BURST: usize = 25;

/// Counts simultaneous answers as evaluated wrong passwords (400 with
/// `wrong_code`) and refusals (429 with a Retry-After); anything else fails.
async fn evaluated_and_refused(responses: Vec<Response>, wrong_code: &str) -> (usize, usize) {
    let (mut evaluated, mut refused) = (0, 0);
    for response in responses {
        match response.status() {
            StatusCode::BAD_REQUEST => {
                assert_error(response, StatusCode::BAD_REQUEST, wrong_code).await;
                evaluated += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = response.headers().get("retry-after").expect("a Retry-After on every 429");
                let retry_after: u64 = retry_after.to_str().unwrap().parse().unwrap();
                assert!(retry_after > 0);
                assert_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    (evaluated, refused)
}

async fn wrong_logins_at_once(app: &TestApp, accounts: &[String]) -> (usize, usize) {
    let responses = join_all(accounts.iter().map(|account| app.log_in(account, "wrong-password"))).await;
    evaluated_and_refused(responses, "invalid_credentials").await
}

async fn audit_count(app: &TestApp, event: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE event = ?")
        .bind(event)
        .fetch_one(&app.database().await)
        .await
        .unwrap()
}

/// 25 simultaneous wrong passwords for one account, known or not: exactly
/// LOGIN_ACCOUNT_FAILURES (5) are evaluated, and the lock holds afterwards.
pub async fn assert_a_burst_for_one_account_gets_exactly_the_allowed_failures(app: &TestApp) {
    app.register("alice", "13800138000").await;
    for account in ["alice", "nobody"] {
        let burst = vec![account.to_owned(); BURST];
        assert_eq!(wrong_logins_at_once(app, &burst).await, (5, BURST - 5), "{account}");
    }
    assert_eq!(app.log_in("alice", "correct-horse").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Simultaneous wrong passwords for as many names from one address, whose
/// limit (LOGIN_IP_FAILURES) is 3: exactly 3 are evaluated.
pub async fn assert_a_burst_from_one_address_gets_exactly_the_allowed_failures(app: &TestApp) {
    let names: Vec<String> = (0..10).map(|i| format!("nobody{i}")).collect();
    assert_eq!(wrong_logins_at_once(app, &names).await, (3, 7));
    app.register("alice", "13800138000").await;
    assert_error(app.log_in("alice", "correct-horse").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn a_burst_for_one_account_gets_exactly_the_allowed_failures_and_one_lock_entry() {
    let app = spawn_app().await;
    assert_a_burst_for_one_account_gets_exactly_the_allowed_failures(&app).await;
    // Five evaluated failures per account; one lock entry per account, however many refusals.
    assert_eq!(audit_count(&app, "login_failed").await, 10);
    assert_eq!(audit_count(&app, "login_locked").await, 2);
    app.log_in("alice", "wrong-password").await;
    assert_eq!(audit_count(&app, "login_locked").await, 2);
}

#[tokio::test]
async fn a_burst_from_one_address_gets_exactly_the_allowed_failures_and_bounded_lock_entries() {
    let app = spawn_app_with(|config| config.login_ip_failures = 3).await;
    assert_a_burst_from_one_address_gets_exactly_the_allowed_failures(&app).await;
    // Made-up names locked by their address get no more entries per window than the address may fail.
    assert_eq!(audit_count(&app, "login_failed").await, 3);
    assert_eq!(audit_count(&app, "login_locked").await, 3);
    for i in 0..5 {
        app.log_in(&format!("someone{i}"), "wrong-password").await;
    }
    assert_eq!(audit_count(&app, "login_locked").await, 3);
}

#[tokio::test]
async fn a_burst_of_wrong_current_passwords_gets_exactly_the_allowed_failures() {
    let app = spawn_app().await;
    let alice = app.register("alice", "13800138000").await;
    let (token, id) = (alice["token"].as_str().unwrap(), &alice["id"]);
    let form = json!({"old_password": "wrong-password", "password": "battery-staple", "password2": "battery-staple"});
    let url = app.url(&format!("/users/{id}/password/"));
    let responses = join_all((0..BURST).map(|_| app.client.put(&url).bearer_auth(token).json(&form).send())).await;
    let responses = responses.into_iter().map(Result::unwrap).collect();
    assert_eq!(evaluated_and_refused(responses, "wrong_password").await, (5, BURST - 5));
    // The same lock as password login.
    assert_eq!(app.log_in("alice", "correct-horse").await.status(), StatusCode::TOO_MANY_REQUESTS);
}
