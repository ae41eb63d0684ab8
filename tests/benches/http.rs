//! Load benchmark: the real server in-process on a random loopback port, a
//! fresh SQLite file, and reqwest clients speaking HTTP to it.
//!
//! `cargo bench -p acceptance-tests --bench http` prints a Markdown table.
//! Environment: `BENCH_REQUESTS` (reads and availability checks, default 20000),
//! `BENCH_LOGINS` (default 200), `BENCH_SECS` (time limit per scenario, at most 60),
//! `BENCH_HASH_CONCURRENCY` (password hashes at once, default 0 = number of CPUs).
//!
//! Client and server share one tokio runtime and one machine, so the numbers
//! are a lower bound of what the server does alone.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bootstrap::{Application, Config};
use reqwest::header::AUTHORIZATION;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret-01";
const USERNAME: &str = "benchuser";
const PASSWORD: &str = "correct-horse";
const MOBILE: &str = "13800138000";
const MAX_SCENARIO_SECS: u64 = 60;

/// What one request of a scenario does.
#[derive(Clone)]
enum Workload {
    /// `GET /user/` with `Authorization: JWT <token>`.
    CurrentUser { authorization: Arc<str> },
    /// `POST /authorizations/` with the right password.
    LogIn { body: Arc<Value> },
    /// `GET /usernames/{name}/count/` over a spread of names.
    UsernameCount,
}

struct Plan {
    label: &'static str,
    concurrency: usize,
    max_requests: usize,
    time_limit: Duration,
    /// Workers stop taking new requests once this is set.
    stop: Option<Arc<AtomicBool>>,
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    non_2xx: usize,
    transport_errors: usize,
    first_error: Option<String>,
    hit_time_limit: bool,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.non_2xx += other.non_2xx;
        self.transport_errors += other.transport_errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.hit_time_limit |= other.hit_time_limit;
    }
}

struct Outcome {
    label: &'static str,
    concurrency: usize,
    elapsed: Duration,
    tally: Tally,
}

impl Outcome {
    fn completed(&self) -> usize {
        self.tally.latencies.len()
    }

    fn per_second(&self) -> f64 {
        self.completed() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn errors(&self) -> usize {
        self.tally.non_2xx + self.tally.transport_errors
    }

    /// Nearest-rank percentile in milliseconds of the sorted latencies.
    fn percentile_ms(&self, p: f64) -> f64 {
        let sorted = &self.tally.latencies;
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
    }

    fn errors_cell(&self) -> String {
        let mut cell = if self.errors() == 0 {
            "0".to_owned()
        } else {
            let detail = self.tally.first_error.as_deref().unwrap_or("?");
            format!(
                "**{}** ({} non-2xx, {} transport; first: {detail})",
                self.errors(),
                self.tally.non_2xx,
                self.tally.transport_errors
            )
        };
        if self.tally.hit_time_limit {
            cell.push_str(" — stopped at the time limit");
        }
        cell
    }
}

async fn send(client: &Client, base: &str, workload: &Workload, i: usize) -> Result<StatusCode, reqwest::Error> {
    let request = match workload {
        Workload::CurrentUser { authorization } => {
            client.get(format!("{base}/user/")).header(AUTHORIZATION, authorization.as_ref())
        }
        Workload::LogIn { body } => client.post(format!("{base}/authorizations/")).json(body.as_ref()),
        Workload::UsernameCount => client.get(format!("{base}/usernames/bench{:05}/count/", i % 10_000)),
    };
    let response = request.send().await?;
    let status = response.status();
    response.bytes().await?;
    Ok(status)
}

/// Runs `plan.max_requests` requests with `plan.concurrency` workers, or fewer
/// if the time limit or the stop flag comes first.
async fn run(client: &Client, base: &Arc<str>, workload: Workload, plan: Plan) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + plan.time_limit);
    let mut workers = JoinSet::new();
    for _ in 0..plan.concurrency {
        let (client, base, workload, next, stop) =
            (client.clone(), base.clone(), workload.clone(), next.clone(), plan.stop.clone());
        let max_requests = plan.max_requests;
        workers.spawn(async move {
            let mut tally = Tally::default();
            loop {
                if stop.as_ref().is_some_and(|stop| stop.load(Ordering::Relaxed)) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max_requests {
                    break;
                }
                if tokio::time::Instant::now() >= deadline {
                    tally.hit_time_limit = true;
                    break;
                }
                let sent = Instant::now();
                match tokio::time::timeout_at(deadline, send(&client, &base, &workload, i)).await {
                    Err(_) => {
                        tally.hit_time_limit = true;
                        break;
                    }
                    Ok(Ok(status)) => {
                        tally.latencies.push(sent.elapsed());
                        if !status.is_success() {
                            tally.non_2xx += 1;
                            tally.first_error.get_or_insert_with(|| format!("HTTP {}", status.as_u16()));
                        }
                    }
                    Ok(Err(error)) => {
                        tally.transport_errors += 1;
                        tally.first_error.get_or_insert_with(|| error.to_string());
                    }
                }
            }
            tally
        });
    }
    let mut tally = Tally::default();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(worker) => tally.merge(worker),
            Err(error) => {
                tally.transport_errors += 1;
                tally.first_error.get_or_insert_with(|| format!("worker failed: {error}"));
            }
        }
    }
    let elapsed = started.elapsed();
    tally.latencies.sort_unstable();
    Outcome { label: plan.label, concurrency: plan.concurrency, elapsed, tally }
}

/// A few unmeasured requests so that connections exist and caches are warm.
async fn warm_up(client: &Client, base: &Arc<str>, workload: Workload, concurrency: usize, requests: usize) {
    let plan =
        Plan { label: "warm-up", concurrency, max_requests: requests, time_limit: Duration::from_secs(10), stop: None };
    run(client, base, workload, plan).await;
}

async fn get_json(client: &Client, url: &str) -> Result<Value, String> {
    let response = client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("GET {url}: HTTP {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|_| format!("GET {url}: not JSON: {text}"))
}

/// Registers one user through captcha → SMS code → `POST /users/` and returns its token.
async fn register(client: &Client, base: &str) -> Result<String, String> {
    let captcha_id = uuid::Uuid::new_v4().to_string();
    let url = format!("{base}/image_codes/{captcha_id}/");
    let response = client.get(&url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("GET {url}: HTTP {}", response.status()));
    }
    let outbox = get_json(client, &format!("{base}/dev/outbox/")).await?;
    let captcha_text = outbox["captchas"]
        .as_array()
        .and_then(|captchas| captchas.iter().find(|c| c["id"] == captcha_id.as_str()))
        .and_then(|c| c["text"].as_str())
        .ok_or("captcha not in /dev/outbox/")?
        .to_owned();

    get_json(client, &format!("{base}/sms_codes/{MOBILE}/?image_code_id={captcha_id}&text={captcha_text}")).await?;
    // The outbox worker delivers the message after the request returned: poll for up to 10 s.
    let mut sms_code = None;
    for _ in 0..200 {
        let outbox = get_json(client, &format!("{base}/dev/outbox/")).await?;
        sms_code = outbox["messages"]
            .as_array()
            .and_then(|messages| messages.iter().find(|m| m["to"] == MOBILE))
            .and_then(|m| m["code"].as_str())
            .map(str::to_owned);
        if sms_code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sms_code = sms_code.ok_or("no SMS code delivered to /dev/outbox/ within 10 s")?;

    let registration = json!({
        "username": USERNAME, "password": PASSWORD, "password2": PASSWORD,
        "mobile": MOBILE, "sms_code": sms_code, "allow": "true"
    });
    let url = format!("{base}/users/");
    let response = client.post(&url).json(&registration).send().await.map_err(|e| format!("POST {url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("POST {url}: {e}"))?;
    if status != StatusCode::CREATED {
        return Err(format!("POST {url}: HTTP {status}: {text}"));
    }
    let body: Value = serde_json::from_str(&text).map_err(|_| format!("POST {url}: not JSON: {text}"))?;
    body["token"].as_str().map(str::to_owned).ok_or_else(|| format!("POST {url}: no token in {text}"))
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| {
            eprintln!("ignoring {name}={value:?}: not a number; using {default}");
            default
        }),
        Err(_) => default,
    }
}

fn print_table(outcomes: &[&Outcome]) {
    println!("| scenario | requests | concurrency | req/s | p50 ms | p95 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for outcome in outcomes {
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            outcome.label,
            outcome.completed(),
            outcome.concurrency,
            outcome.per_second(),
            outcome.percentile_ms(50.0),
            outcome.percentile_ms(95.0),
            outcome.percentile_ms(99.0),
            outcome.errors_cell()
        );
    }
}

#[tokio::main]
async fn main() {
    if let Err(message) = bench().await {
        eprintln!("benchmark failed: {message}");
        std::process::exit(1);
    }
}

async fn bench() -> Result<(), String> {
    let requests = env_usize("BENCH_REQUESTS", 20_000).max(1);
    let logins = env_usize("BENCH_LOGINS", 200).max(1);
    let time_limit = Duration::from_secs(env_usize("BENCH_SECS", 60).clamp(1, MAX_SCENARIO_SECS as usize) as u64);
    let hash_concurrency = env_usize("BENCH_HASH_CONCURRENCY", 0);
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);

    let data_dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let config = Config {
        bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.path().to_path_buf(),
        jwt_secret: Some(JWT_SECRET.into()),
        password_hash_concurrency: hash_concurrency,
        availability_ip_per_minute: 0,
        captcha_ip_per_minute: 0,
        code_ip_hourly_limit: 0,
        code_daily_limit: 0,
        code_resend_interval_secs: 0,
        ..Config::default()
    };
    let app = Application::start(config).await.map_err(|e| format!("server start: {e}"))?;
    let base: Arc<str> = format!("http://{}", app.local_addr()).into();
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(MAX_SCENARIO_SECS))
        .build()
        .map_err(|e| format!("client: {e}"))?;

    eprintln!("server at {base}; registering {USERNAME}");
    let token = register(&client, &base).await?;
    let reads = Workload::CurrentUser { authorization: format!("JWT {token}").into() };
    let log_in = Workload::LogIn { body: Arc::new(json!({"username": USERNAME, "password": PASSWORD})) };
    let plan = |label, concurrency, max_requests| Plan { label, concurrency, max_requests, time_limit, stop: None };

    eprintln!("A: {requests} token-authenticated reads at concurrency 32");
    warm_up(&client, &base, reads.clone(), 32, 1_000).await;
    let a = run(&client, &base, reads.clone(), plan("A token-authenticated reads (GET /user/)", 32, requests)).await;

    eprintln!("B: {logins} logins at concurrency 8");
    warm_up(&client, &base, log_in.clone(), 8, 8).await;
    let b = run(&client, &base, log_in.clone(), plan("B logins (POST /authorizations/)", 8, logins)).await;

    eprintln!("C: reads at concurrency 32 while {logins} logins run at concurrency 8");
    let logins_done = Arc::new(AtomicBool::new(false));
    let reads_plan = Plan {
        label: "C reads while logins hash (GET /user/)",
        concurrency: 32,
        max_requests: requests.saturating_mul(50),
        time_limit,
        stop: Some(logins_done.clone()),
    };
    let (c_reads, c_logins) = tokio::join!(run(&client, &base, reads.clone(), reads_plan), async {
        let outcome = run(&client, &base, log_in.clone(), plan("C logins during reads", 8, logins)).await;
        logins_done.store(true, Ordering::Relaxed);
        outcome
    });

    eprintln!("D: {requests} availability checks at concurrency 32");
    warm_up(&client, &base, Workload::UsernameCount, 32, 1_000).await;
    let d = run(
        &client,
        &base,
        Workload::UsernameCount,
        plan("D availability (GET /usernames/{name}/count/)", 32, requests),
    )
    .await;

    app.stop();

    let hashes_at_once = if hash_concurrency == 0 { cpus } else { hash_concurrency };
    println!();
    println!(
        "nproc: {cpus} · password hashes at once: {hashes_at_once} · argon2id 19 MiB, t=2, p=1 · \
         client and server in one process over loopback · time limit {}s per scenario",
        time_limit.as_secs()
    );
    println!();
    print_table(&[&a, &b, &c_reads, &c_logins, &d]);
    println!();
    println!(
        "Reads under login load: p50 {:.2} → {:.2} ms, p99 {:.2} → {:.2} ms (alone → during logins).",
        a.percentile_ms(50.0),
        c_reads.percentile_ms(50.0),
        a.percentile_ms(99.0),
        c_reads.percentile_ms(99.0)
    );
    let failed: Vec<&str> =
        [&a, &b, &c_reads, &c_logins, &d].iter().filter(|o| o.errors() > 0).map(|o| o.label).collect();
    if !failed.is_empty() {
        println!();
        println!("**Scenarios with errors:** {}", failed.join("; "));
    }
    Ok(())
}
