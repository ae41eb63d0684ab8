//! A Redis Cluster master killed under traffic: two instances keep answering
//! (200, the contract's 4xx, or 503 with the error body while the master's
//! slots have no server), and are ready again within seconds of the replica's
//! promotion, without a restart. The instances confirm guarding writes with
//! one replica (`REDIS_WAIT_REPLICAS=1`), as deploy.md advises for a cluster;
//! the dead node is started again, as a supervisor would, and rejoins as the
//! new master's replica, after which nothing answers 503.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use test_support::backends::{backend_url, fresh_postgres_url};
use test_support::redis_cluster::RedisCluster;

use crate::support::{TestApp, spawn_app_with};

/// An answer that broke the contract: a 5xx other than 503, or a 503 without the error body.
struct Broken {
    request: String,
    status: StatusCode,
    body: String,
}

#[derive(Default)]
struct Tally {
    answers: usize,
    unavailable: usize,
    broken: Vec<Broken>,
}

/// What one answer was.
enum Outcome {
    Answered,
    Unavailable,
    Broken(Broken),
}

async fn outcome(request: String, response: reqwest::Response) -> Outcome {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let error_body = serde_json::from_str::<Value>(&body)
        .is_ok_and(|body| body["code"].is_string() && body["message"].as_str().is_some_and(|m| !m.is_empty()));
    if status == StatusCode::SERVICE_UNAVAILABLE && error_body {
        Outcome::Unavailable
    } else if status.is_server_error() {
        Outcome::Broken(Broken { request, status, body })
    } else {
        Outcome::Answered
    }
}

/// Requests that touch Redis on many slots: captchas, availability answers
/// (a hit limit), wrong passwords (three failure counters), the profile.
async fn traffic(app: Arc<TestApp>, token: String, worker: usize, running: Arc<AtomicBool>, tally: Arc<Mutex<Tally>>) {
    let mut round = 0_usize;
    while running.load(Ordering::Relaxed) {
        round += 1;
        let name = format!("w{worker}r{round}");
        let requests = [
            (format!("GET /image_codes/ ({name})"), app.get(&format!("/image_codes/{}/", uuid::Uuid::new_v4())).await),
            (format!("GET /usernames/{name}/count/"), app.get(&format!("/usernames/{name}/count/")).await),
            (format!("POST /authorizations/ ({name})"), app.log_in(&name, "wrong-password").await),
            (
                "GET /user/".to_owned(),
                app.client.get(app.url("/user/")).bearer_auth(&token).send().await.expect("GET /user/"),
            ),
        ];
        for (request, response) in requests {
            let outcome = outcome(request, response).await;
            let mut tally = tally.lock().expect("the tally");
            tally.answers += 1;
            match outcome {
                Outcome::Answered => {}
                Outcome::Unavailable => tally.unavailable += 1,
                Outcome::Broken(broken) => tally.broken.push(broken),
            }
        }
    }
}

async fn ready(app: &TestApp) -> bool {
    app.get("/health/ready/").await.status() == StatusCode::OK
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_master_killed_under_traffic_gives_only_answers_or_503_and_both_instances_are_ready_again_within_20_s() {
    let test = "redis_failover::master_killed";
    let Some(admin) = backend_url("TEST_DATABASE_URL", test) else { return };
    let Some(mut cluster) = RedisCluster::start(test).await else { return };
    let database = fresh_postgres_url(&admin, "failover").await;
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let instance = || {
        spawn_app_with(|config| {
            config.database_url = Some(database.clone().into());
            config.redis_url = Some(cluster.url().into());
            config.redis_key_prefix = prefix.clone();
            // Every worker's requests come from 127.0.0.1: the per-address limits would answer 429 to most.
            config.login_ip_failures = 0;
            config.redis_wait_replicas = 1;
            // Healthy replicas, perhaps slow on a machine busy with the other suites.
            config.redis_wait_timeout_ms = Duration::from_secs(1);
            config.captcha_ip_per_minute = 0;
            config.availability_ip_per_minute = 0;
        })
    };
    let (a, b) = (Arc::new(instance().await), Arc::new(instance().await));
    a.register("alice", "13800138000").await;
    let login = crate::support::body(b.log_in("alice", "correct-horse").await).await;
    let token = login["token"].as_str().expect("a token").to_owned();

    let running = Arc::new(AtomicBool::new(true));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let workers: Vec<_> = (0..6)
        .map(|worker| {
            let app = if worker % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(traffic(app, token.clone(), worker, running.clone(), tally.clone()))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = tally.lock().expect("the tally").answers;
    assert!(before > 0, "traffic flows before the failure");

    let master = cluster.masters()[0];
    cluster.kill(master);
    let killed_at = Instant::now();
    let promoted_at = cluster.wait_for_promotion(master, Duration::from_secs(30)).await;
    cluster.restart(master).await;
    let mut both_ready_at = None;
    while promoted_at.elapsed() < Duration::from_secs(20) {
        if ready(&a).await && ready(&b).await {
            both_ready_at = Some(Instant::now());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cluster.wait_until_whole(Duration::from_secs(30)).await;
    // The traffic goes on a while on the healed cluster.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let unavailable_before_the_end = tally.lock().expect("the tally").unavailable;
    tokio::time::sleep(Duration::from_secs(2)).await;
    running.store(false, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("a traffic worker");
    }

    let tally = std::mem::take(&mut *tally.lock().expect("the tally"));
    eprintln!(
        "killed master {master}: promoted after {:?}, both instances ready {:?} after that; {} answers, {} of them 503",
        promoted_at - killed_at,
        both_ready_at.map(|at| at - promoted_at),
        tally.answers,
        tally.unavailable
    );
    let broken: Vec<String> =
        tally.broken.iter().map(|b| format!("{} answered {}: {}", b.request, b.status, b.body)).collect();
    assert!(broken.is_empty(), "answers outside 200/4xx/503-with-a-body: {broken:#?}");
    assert!(both_ready_at.is_some(), "both instances ready again within 20 s of the promotion");
    assert_eq!(tally.unavailable, unavailable_before_the_end, "no 503 in the last 2 s, once recovered");
    assert!(tally.answers > before, "traffic flowed after the failure");
}
