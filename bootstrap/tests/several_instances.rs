//! Two `meiduo-accounts` processes on one PostgreSQL and one Redis, as behind
//! a load balancer: a token of one is accepted by the other, the 60 s resend
//! limit holds across both, every queued message is delivered once, a session
//! ended on one is refused by it at once and by the other within a second (its
//! account cache hears of the change on Redis), a profile changed on one
//! is what the other reads within that second, and with `SMS_PROVIDER=aliyun,tencent` each message
//! reaches exactly one provider that takes it. The sessions test runs again
//! on a Redis Cluster with PostgreSQL behind PgBouncer in transaction mode.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use test_support::backends::{backend_url, fresh_pooled_postgres, fresh_postgres_url};
use test_support::tcp_proxy::TcpProxy;
use tokio::process::{Child, Command};

struct Instance {
    base: String,
    database_url: String,
    process: Child,
    _data_dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_instance(database_url: &str, redis_url: &str, prefix: &str, extra_env: &[(&str, &str)]) -> Instance {
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let process = Command::new(env!("CARGO_BIN_EXE_meiduo-accounts"))
        .arg("serve")
        .env_clear()
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis_url)
        .env("REDIS_KEY_PREFIX", prefix)
        .env("JWT_SECRET", "several-instances-share-this-secret-0123456789")
        .env("DATA_DIR", data_dir.path())
        .env("OUTBOX_POLL_MS", "100")
        .env("PASSWORD_HASH_CONCURRENCY", "1")
        .env("RUST_LOG", "warn")
        .envs(extra_env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start meiduo-accounts");
    Instance {
        base: format!("http://127.0.0.1:{port}"),
        database_url: database_url.to_owned(),
        process,
        _data_dir: data_dir,
    }
}

/// Two instances on a fresh schema of `suite` (a name no other test uses: a
/// suite's schemas left from earlier runs are dropped) and one Redis key
/// prefix, both ready; `None` when the backends are not configured.
async fn two_ready_instances(suite: &str, extra_env: &[(&str, &str)]) -> Option<(Instance, Instance, Client)> {
    let admin = backend_url("TEST_DATABASE_URL", "several_instances")?;
    let redis = backend_url("TEST_REDIS_URL", "several_instances")?;
    let database = fresh_postgres_url(&admin, suite).await;
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let a = start_instance(&database, &redis, &prefix, extra_env);
    let b = start_instance(&database, &redis, &prefix, extra_env);
    let client = Client::new();
    a.wait_until_ready(&client).await;
    b.wait_until_ready(&client).await;
    Some((a, b, client))
}

/// As [`two_ready_instances`], on a Redis Cluster (`TEST_REDIS_CLUSTER_URL`,
/// guarding writes confirmed by one replica) and PostgreSQL through PgBouncer
/// in transaction mode (`TEST_POOLED_DATABASE_URL`), migrated first over a
/// direct connection by `meiduo-accounts migrate`, as deploy.md says.
async fn two_ready_instances_on_a_cluster_through_pgbouncer(
    suite: &str,
    extra_env: &[(&str, &str)],
) -> Option<(Instance, Instance, Client)> {
    let admin = backend_url("TEST_DATABASE_URL", "several_instances")?;
    let pooled = backend_url("TEST_POOLED_DATABASE_URL", "several_instances")?;
    let redis = backend_url("TEST_REDIS_CLUSTER_URL", "several_instances")?;
    let database = fresh_pooled_postgres(&admin, &pooled, suite).await;
    let migrated = Command::new(env!("CARGO_BIN_EXE_meiduo-accounts"))
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", &database.direct_url)
        .env("RUST_LOG", "warn")
        .status()
        .await
        .unwrap();
    assert!(migrated.success(), "meiduo-accounts migrate over the direct connection");
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    // Healthy replicas, perhaps slow on a machine busy with the other suites: a patient confirmation.
    let topology = [
        ("DATABASE_POOLER", "transaction"),
        ("AUTO_MIGRATE", "false"),
        ("REDIS_WAIT_REPLICAS", "1"),
        ("REDIS_WAIT_TIMEOUT_MS", "1000"),
    ];
    let env: Vec<(&str, &str)> = extra_env.iter().copied().chain(topology).collect();
    let a = start_instance(&database.pooled_url, &redis, &prefix, &env);
    let b = start_instance(&database.pooled_url, &redis, &prefix, &env);
    let client = Client::new();
    a.wait_until_ready(&client).await;
    b.wait_until_ready(&client).await;
    Some((a, b, client))
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

impl Instance {
    async fn wait_until_ready(&self, client: &Client) {
        let mut last = String::from("no answer");
        for _ in 0..300 {
            if let Ok(response) = client.get(format!("{}/health/ready/", self.base)).send().await {
                if response.status() == StatusCode::OK {
                    return;
                }
                last = response.text().await.unwrap_or_default();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} did not become ready: {last}", self.base);
    }

    async fn captcha(&self, client: &Client) -> (String, String) {
        let id = uuid::Uuid::new_v4().to_string();
        let response = client.get(format!("{}/image_codes/{id}/", self.base)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let outbox = json_of(client.get(format!("{}/dev/outbox/", self.base)).send().await.unwrap()).await;
        let text = outbox["captchas"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        (id, text)
    }

    async fn request_code(&self, client: &Client, mobile: &str) -> StatusCode {
        let (id, text) = self.captcha(client).await;
        let url = format!("{}/sms_codes/{mobile}/?image_code_id={id}&text={text}", self.base);
        client.get(url).send().await.unwrap().status()
    }

    /// The messages this instance's worker delivered. Both instances list every row of the shared outbox
    /// table, but a sent row keeps its code only in the memory of the instance that claimed it.
    async fn delivered(&self, client: &Client) -> Vec<(String, String)> {
        let outbox = json_of(client.get(format!("{}/dev/outbox/", self.base)).send().await.unwrap()).await;
        outbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["status"] == "sent")
            .filter_map(|m| Some((m["to"].as_str()?.to_owned(), m["code"].as_str()?.to_owned())))
            .collect()
    }
}

/// Every delivery seen by either instance's development outbox.
async fn all_deliveries(client: &Client, instances: &[&Instance]) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for instance in instances {
        all.extend(instance.delivered(client).await);
    }
    all
}

#[tokio::test]
async fn two_processes_share_tokens_limits_and_the_outbox() {
    let Some((a, b, client)) = two_ready_instances("shared_outbox", &[]).await else { return };

    // A code requested on A, delivered by whichever worker claimed it, registers on B.
    assert_eq!(a.request_code(&client, "13800138000").await, StatusCode::OK);
    let mut code = None;
    for _ in 0..100 {
        code = all_deliveries(&client, &[&a, &b]).await.into_iter().find(|(to, _)| to == "13800138000").map(|(_, c)| c);
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let code = code.expect("the code was delivered by one of the instances");
    let form = json!({"username": "alice", "password": "correct-horse", "password2": "correct-horse",
                      "mobile": "13800138000", "sms_code": code, "allow": "true"});
    let registered = client.post(format!("{}/users/", b.base)).json(&form).send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let token = json_of(registered).await["token"].as_str().unwrap().to_owned();

    // B's token is good on A.
    let me =
        client.get(format!("{}/user/", a.base)).header("Authorization", format!("JWT {token}")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(json_of(me).await["username"], "alice");

    // The 60 s resend limit set through A holds on B.
    assert_eq!(b.request_code(&client, "13800138000").await, StatusCode::TOO_MANY_REQUESTS);

    // Ten codes queued through both instances are each delivered exactly once.
    let mobiles: Vec<String> = (0..10).map(|i| format!("1390000{i:04}")).collect();
    for (i, mobile) in mobiles.iter().enumerate() {
        let instance = if i % 2 == 0 { &a } else { &b };
        assert_eq!(instance.request_code(&client, mobile).await, StatusCode::OK);
    }
    let mut per_mobile: HashMap<String, usize> = HashMap::new();
    for _ in 0..100 {
        per_mobile.clear();
        for (to, _) in all_deliveries(&client, &[&a, &b]).await {
            *per_mobile.entry(to).or_default() += 1;
        }
        if mobiles.iter().all(|m| per_mobile.contains_key(m)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a second delivery, if there were one, time to show up.
    tokio::time::sleep(Duration::from_millis(800)).await;
    per_mobile.clear();
    for (to, _) in all_deliveries(&client, &[&a, &b]).await {
        *per_mobile.entry(to).or_default() += 1;
    }
    for mobile in &mobiles {
        assert_eq!(per_mobile.get(mobile), Some(&1), "deliveries to {mobile}: {per_mobile:?}");
    }
}

const TEST_NUMBERS: (&str, &str) = ("SMS_TEST_NUMBERS", "1990000*=246810");

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn log_in(&self, client: &Client, username: &str, password: &str) -> String {
        let form = [("username", username), ("password", password)];
        let response = client.post(self.url("/authorizations/")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        json_of(response).await["token"].as_str().unwrap().to_owned()
    }

    async fn me(&self, client: &Client, token: &str) -> (StatusCode, Value) {
        let response =
            client.get(self.url("/user/")).header("Authorization", format!("JWT {token}")).send().await.unwrap();
        let status = response.status();
        (status, json_of(response).await)
    }

    /// What this instance answers for `token` once `settled` holds, or after
    /// the one second another instance has to hear of a change.
    async fn me_within_a_second(
        &self,
        client: &Client,
        token: &str,
        settled: impl Fn(&(StatusCode, Value)) -> bool,
    ) -> (StatusCode, Value) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            let answer = self.me(client, token).await;
            if settled(&answer) || tokio::time::Instant::now() >= deadline {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The id of the session `token` belongs to, as `GET /user/sessions/` marks it current.
    async fn session_id(&self, client: &Client, token: &str) -> String {
        let response =
            client.get(self.url("/user/sessions/")).header("Authorization", format!("JWT {token}")).send().await;
        let sessions = json_of(response.unwrap()).await;
        let current = sessions.as_array().unwrap().iter().find(|session| session["current"] == true).unwrap();
        current["id"].as_str().unwrap().to_owned()
    }

    /// Ends the session of `ended` through `DELETE /user/sessions/{id}/` with `token`.
    async fn end_session_of(&self, client: &Client, token: &str, ended: &str) -> StatusCode {
        let id = self.session_id(client, ended).await;
        let url = self.url(&format!("/user/sessions/{id}/"));
        client.delete(url).header("Authorization", format!("JWT {token}")).send().await.unwrap().status()
    }

    async fn refused_within_a_second(&self, client: &Client, token: &str) -> StatusCode {
        self.me_within_a_second(client, token, |(status, _)| *status == StatusCode::UNAUTHORIZED).await.0
    }
}

/// The instance that handled a change answers from it at once; the other,
/// which may have the account in memory, within a second (it hears of the
/// change on Redis, in practice before the writer has even answered). Every
/// change below comes after the other instance has read the token it then
/// checks, so a missed announcement would show.
#[tokio::test]
async fn sessions_ended_on_one_instance_are_refused_by_both_and_profiles_read_fresh() {
    let Some((a, b, client)) = two_ready_instances("sessions_ended", &[TEST_NUMBERS]).await else { return };
    assert_sessions_ended_on_one_instance_are_refused_by_both_and_profiles_read_fresh(&a, &b, &client).await;
}

#[tokio::test]
async fn sessions_ended_on_one_instance_are_refused_by_both_on_a_redis_cluster_through_pgbouncer() {
    let Some((a, b, client)) =
        two_ready_instances_on_a_cluster_through_pgbouncer("sessions_ended_pooled", &[TEST_NUMBERS]).await
    else {
        return;
    };
    assert_sessions_ended_on_one_instance_are_refused_by_both_and_profiles_read_fresh(&a, &b, &client).await;
}

async fn assert_sessions_ended_on_one_instance_are_refused_by_both_and_profiles_read_fresh(
    a: &Instance,
    b: &Instance,
    client: &Client,
) {
    let client = client.clone();
    assert_eq!(a.request_code(&client, "19900000001").await, StatusCode::OK);
    let form = json!({"username": "carol", "password": "correct-horse", "password2": "correct-horse",
                      "mobile": "19900000001", "sms_code": "246810", "allow": true});
    let registered = client.post(a.url("/users/")).json(&form).send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let registered = json_of(registered).await;
    let (id, first) = (registered["id"].as_i64().unwrap(), registered["token"].as_str().unwrap().to_owned());
    let second = b.log_in(&client, "carol", "correct-horse").await;
    let third = a.log_in(&client, "carol", "correct-horse").await;
    assert_eq!(b.me(&client, &first).await.0, StatusCode::OK, "B has read the account before it changes");

    // A profile changed through A is what B answers next.
    assert_eq!(b.me(&client, &second).await.0, StatusCode::OK);
    let patched = client
        .patch(a.url("/user/"))
        .header("Authorization", format!("JWT {first}"))
        .json(&json!({"nickname": "小卡"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(a.me(&client, &first).await.1["nickname"], "小卡");
    let read = b.me_within_a_second(&client, &second, |(_, user)| user["nickname"] == "小卡").await;
    assert_eq!(read.1["nickname"], "小卡");

    // A logout through A: that token is refused by A and by B, the others still work.
    let logout =
        client.post(a.url("/authorizations/logout/")).header("Authorization", format!("JWT {first}")).send().await;
    assert_eq!(logout.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(a.me(&client, &first).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(b.refused_within_a_second(&client, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(b.me(&client, &second).await.0, StatusCode::OK);

    // Sign-out everywhere through B: every earlier token is refused by both.
    for token in [&second, &third] {
        assert_eq!(a.me(&client, token).await.0, StatusCode::OK);
    }
    let revoke =
        client.post(b.url("/user/sessions/revoke/")).header("Authorization", format!("JWT {second}")).send().await;
    assert_eq!(revoke.unwrap().status(), StatusCode::NO_CONTENT);
    for token in [&second, &third] {
        assert_eq!(b.me(&client, token).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(a.refused_within_a_second(&client, token).await, StatusCode::UNAUTHORIZED);
    }

    // A password change through A: the session it was made in and every other one end on both.
    let fourth = b.log_in(&client, "carol", "correct-horse").await;
    let fifth = a.log_in(&client, "carol", "correct-horse").await;
    let sixth = b.log_in(&client, "carol", "correct-horse").await;
    assert_eq!(b.me(&client, &fourth).await.0, StatusCode::OK);

    // One session ended from the list through A: refused by both, the others still work.
    assert_eq!(b.me(&client, &sixth).await.0, StatusCode::OK, "B has read the session before it ends");
    let ended = a.end_session_of(&client, &fifth, &sixth).await;
    assert_eq!(ended, StatusCode::NO_CONTENT);
    assert_eq!(a.me(&client, &sixth).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(b.refused_within_a_second(&client, &sixth).await, StatusCode::UNAUTHORIZED);
    assert_eq!(b.me(&client, &fourth).await.0, StatusCode::OK);
    let change = client
        .put(a.url(&format!("/users/{id}/password/")))
        .header("Authorization", format!("JWT {fifth}"))
        .json(&json!({"old_password": "correct-horse", "password": "battery-staple", "password2": "battery-staple"}))
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), StatusCode::OK);
    for token in [&fourth, &fifth] {
        assert_eq!(a.me(&client, token).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(b.refused_within_a_second(&client, token).await, StatusCode::UNAUTHORIZED);
    }
    let after = b.log_in(&client, "carol", "battery-staple").await;
    assert_eq!(a.me(&client, &after).await.1["nickname"], "小卡");
}

/// 25 simultaneous wrong passwords for one account, sent to two instances in
/// turn, on the Redis Cluster through PgBouncer: exactly 5 are evaluated (400),
/// the other 20 refused (429), whichever instance each reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_across_two_instances_evaluates_five_on_a_redis_cluster_through_pgbouncer() {
    let Some((a, b, client)) =
        two_ready_instances_on_a_cluster_through_pgbouncer("burst_pooled", &[TEST_NUMBERS]).await
    else {
        return;
    };
    assert_eq!(a.request_code(&client, "19900000002").await, StatusCode::OK);
    let form = json!({"username": "daisy", "password": "correct-horse", "password2": "correct-horse",
                      "mobile": "19900000002", "sms_code": "246810", "allow": true});
    assert_eq!(client.post(a.url("/users/")).json(&form).send().await.unwrap().status(), StatusCode::CREATED);

    let guesses = (0..25).map(|i| {
        let instance = if i % 2 == 0 { &a } else { &b };
        let form = [("username", "daisy"), ("password", "wrong-password")];
        client.post(instance.url("/authorizations/")).form(&form).send()
    });
    let mut statuses: HashMap<StatusCode, usize> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for guess in guesses {
        tasks.spawn(guess);
    }
    while let Some(answer) = tasks.join_next().await {
        *statuses.entry(answer.unwrap().unwrap().status()).or_default() += 1;
    }
    assert_eq!(statuses.get(&StatusCode::BAD_REQUEST), Some(&5), "{statuses:?}");
    assert_eq!(statuses.get(&StatusCode::TOO_MANY_REQUESTS), Some(&20), "{statuses:?}");
}

/// The availability check answers free names from memory (the taken-names
/// filter); a name taken through one instance is taken on the other before
/// the registration has even answered, since the writer announces it first.
#[tokio::test]
async fn a_name_taken_through_one_instance_is_taken_on_the_other() {
    let Some((a, b, client)) = two_ready_instances("taken_names", &[TEST_NUMBERS]).await else { return };
    let count = |instance: &Instance, path: String| {
        let request = client.get(instance.url(&path)).send();
        async move {
            let response = request.await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            json_of(response).await["count"].as_i64().unwrap()
        }
    };
    for instance in [&a, &b] {
        assert_eq!(count(instance, "/usernames/Dave_4/count/".into()).await, 0);
        assert_eq!(count(instance, "/mobiles/19900000002/count/".into()).await, 0);
    }

    assert_eq!(a.request_code(&client, "19900000002").await, StatusCode::OK);
    let form = json!({"username": "dave_4", "password": "correct-horse", "password2": "correct-horse",
                      "mobile": "19900000002", "sms_code": "246810", "allow": true});
    let registered = client.post(a.url("/users/")).json(&form).send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    for instance in [&a, &b] {
        assert_eq!(count(instance, "/usernames/Dave_4/count/".into()).await, 1);
        assert_eq!(count(instance, "/mobiles/19900000002/count/".into()).await, 1);
    }
}

/// Two instances whose Redis connections reach Redis through a proxy each, so
/// that a test can cut or stall one instance's Redis and not the other's.
async fn two_instances_behind_proxies(suite: &str) -> Option<(Instance, Instance, Client, TcpProxy)> {
    let admin = backend_url("TEST_DATABASE_URL", "several_instances")?;
    let redis = backend_url("TEST_REDIS_URL", "several_instances")?;
    let database = fresh_postgres_url(&admin, suite).await;
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let upstream = redis.trim_start_matches("redis://").trim_end_matches('/');
    let upstream: std::net::SocketAddr = tokio::net::lookup_host(upstream).await.unwrap().next().unwrap();
    let proxy = TcpProxy::start(upstream).await;
    let a = start_instance(&database, &format!("redis://{}", proxy.address()), &prefix, &[TEST_NUMBERS]);
    let b = start_instance(&database, &redis, &prefix, &[TEST_NUMBERS]);
    let client = Client::new();
    a.wait_until_ready(&client).await;
    b.wait_until_ready(&client).await;
    Some((a, b, client, proxy))
}

/// Registers `username` through `instance` and logs in on both: the tokens,
/// each read once by the other instance so that it holds the account in memory.
async fn carol_with_two_sessions(a: &Instance, b: &Instance, client: &Client, mobile: &str) -> (String, String) {
    assert_eq!(a.request_code(client, mobile).await, StatusCode::OK);
    let form = json!({"username": format!("carol{}", &mobile[7..]), "password": "correct-horse",
                      "password2": "correct-horse", "mobile": mobile, "sms_code": "246810", "allow": true});
    let registered = client.post(a.url("/users/")).json(&form).send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let first = json_of(registered).await["token"].as_str().unwrap().to_owned();
    let second = b.log_in(client, mobile, "correct-horse").await;
    for token in [&first, &second] {
        for _ in 0..2 {
            assert_eq!(b.me(client, token).await.0, StatusCode::OK, "B holds the account in memory");
        }
    }
    (first, second)
}

/// The two ways A's announcement is lost that a proxy plays, and a crash.
#[derive(Clone, Copy, Debug)]
enum Partition {
    /// A's connections to Redis are dropped and new ones refused.
    Cut,
    /// A's connections stay open and carry nothing (a network dropping packets).
    Stall,
    /// A is stalled, then killed after its commit while its announcement waits.
    KillAfterCommit,
}

/// Ending a session on an instance that cannot announce it: the other
/// instance, which holds the account in memory, refuses the token within a
/// second anyway, since it reads the account-change log written in the
/// logout's own transaction.
async fn assert_an_unannounced_logout_reaches_the_other_instance(partition: Partition, mobile: &str) {
    assert_an_unannounced_ending_reaches_the_other_instance(partition, Ending::Logout, mobile).await;
}

/// How the first session ends.
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// Its own token logs out.
    Logout,
    /// The other session ends it from the list (`DELETE /user/sessions/{id}/`).
    FromTheList,
}

async fn assert_an_unannounced_ending_reaches_the_other_instance(partition: Partition, ending: Ending, mobile: &str) {
    let suite = format!("partition_{partition:?}_{ending:?}").to_lowercase();
    let Some((mut a, b, client, proxy)) = two_instances_behind_proxies(&suite).await else { return };
    let (first, second) = carol_with_two_sessions(&a, &b, &client, mobile).await;
    let first_session = a.session_id(&client, &first).await;
    match partition {
        Partition::Cut => proxy.cut().await,
        Partition::Stall | Partition::KillAfterCommit => proxy.stall(),
    }
    let logout = match ending {
        Ending::Logout => client.post(a.url("/authorizations/logout/")).header("Authorization", format!("JWT {first}")),
        Ending::FromTheList => client
            .delete(a.url(&format!("/user/sessions/{first_session}/")))
            .header("Authorization", format!("JWT {second}")),
    }
    .send();
    let sent = tokio::time::Instant::now();
    match partition {
        Partition::Cut => assert_eq!(logout.await.unwrap().status(), StatusCode::NO_CONTENT),
        Partition::Stall | Partition::KillAfterCommit => {
            // The logout commits, then waits on its announcement.
            let pending = tokio::spawn(logout);
            tokio::time::sleep(Duration::from_millis(300)).await;
            if matches!(partition, Partition::KillAfterCommit) {
                a.process.kill().await.unwrap();
            }
            drop(pending);
        }
    }
    let deadline = sent + Duration::from_millis(1_500);
    loop {
        let status = b.me(&client, &first).await.0;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B still accepts the ended session ({partition:?}, {ending:?})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(b.me(&client, &second).await.0, StatusCode::OK, "the other session lives on");
}

#[tokio::test]
async fn a_logout_on_an_instance_cut_off_from_redis_is_refused_by_the_other_within_a_second() {
    assert_an_unannounced_logout_reaches_the_other_instance(Partition::Cut, "19900000011").await;
}

#[tokio::test]
async fn a_session_ended_from_the_list_on_an_instance_cut_off_from_redis_is_refused_by_the_other_within_a_second() {
    assert_an_unannounced_ending_reaches_the_other_instance(Partition::Cut, Ending::FromTheList, "19900000017").await;
}

#[tokio::test]
async fn a_session_ended_from_the_list_whose_instance_dies_before_announcing_it_is_refused_by_the_other_within_a_second()
 {
    let mobile = "19900000018";
    assert_an_unannounced_ending_reaches_the_other_instance(Partition::KillAfterCommit, Ending::FromTheList, mobile)
        .await;
}

#[tokio::test]
async fn a_logout_on_an_instance_whose_redis_stalls_is_refused_by_the_other_within_a_second() {
    assert_an_unannounced_logout_reaches_the_other_instance(Partition::Stall, "19900000012").await;
}

#[tokio::test]
async fn a_logout_whose_instance_dies_before_announcing_it_is_refused_by_the_other_within_a_second() {
    assert_an_unannounced_logout_reaches_the_other_instance(Partition::KillAfterCommit, "19900000013").await;
}

/// A sign-out everywhere on an instance cut off from Redis, and a name taken
/// with no announcement at all, reach the other instance through the
/// account-change log within a second.
#[tokio::test]
async fn a_sign_out_everywhere_and_a_name_taken_unannounced_reach_the_other_instance() {
    let Some((a, b, client, proxy)) = two_instances_behind_proxies("partition_sign_out").await else { return };
    let (first, second) = carol_with_two_sessions(&a, &b, &client, "19900000014").await;
    proxy.cut().await;
    let revoke =
        client.post(a.url("/user/sessions/revoke/")).header("Authorization", format!("JWT {second}")).send().await;
    assert_eq!(revoke.unwrap().status(), StatusCode::NO_CONTENT);
    for token in [&first, &second] {
        assert_eq!(b.refused_within_a_second(&client, token).await, StatusCode::UNAUTHORIZED);
    }

    let count = || {
        let request = client.get(b.url("/mobiles/19900000015/count/")).send();
        async move { json_of(request.await.unwrap()).await["count"].as_i64().unwrap() }
    };
    assert_eq!(count().await, 0, "free, and answered from B's filter");
    // A write no instance announces (an instance that died before announcing, an operator).
    let mut database = sqlx::PgConnection::connect(&a.database_url).await.unwrap();
    sqlx::query("UPDATE users SET mobile = '19900000015' WHERE mobile = '19900000014'")
        .execute(&mut database)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while count().await != 1 {
        assert!(tokio::time::Instant::now() < deadline, "B still answers the taken mobile as free");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two instances sending through `SMS_PROVIDER=aliyun,tencent`, Alibaba out of service for
/// some of the messages: every message reaches exactly one provider that takes it, once.
#[tokio::test]
async fn two_instances_send_each_message_once_through_the_provider_list() {
    use test_support::fake_aliyun_sms::{self, FakeAliyunSms};
    use test_support::fake_tencent_sms::{self, FakeTencentSms};

    let aliyun = FakeAliyunSms::start().await;
    for _ in 0..3 {
        aliyun.answer_once(fake_aliyun_sms::Answer::Refused("isv.OUT_OF_SERVICE", "业务停机"));
    }
    let tencent = FakeTencentSms::start().await;
    let (aliyun_endpoint, tencent_endpoint) = (aliyun.endpoint(), tencent.endpoint());
    let env = [
        ("DEV_OUTBOX", "true"),
        ("SMS_PROVIDER", "aliyun,tencent"),
        ("ALIYUN_ACCESS_KEY_ID", fake_aliyun_sms::ACCESS_KEY_ID),
        ("ALIYUN_ACCESS_KEY_SECRET", fake_aliyun_sms::ACCESS_KEY_SECRET),
        ("ALIYUN_SMS_SIGN_NAME", fake_aliyun_sms::SIGN_NAME),
        ("ALIYUN_SMS_REGISTER_TEMPLATE_CODE", fake_aliyun_sms::REGISTER_TEMPLATE),
        ("ALIYUN_SMS_RESET_TEMPLATE_CODE", fake_aliyun_sms::RESET_PASSWORD_TEMPLATE),
        ("ALIYUN_SMS_ENDPOINT", &aliyun_endpoint),
        ("TENCENT_SMS_SECRET_ID", fake_tencent_sms::SECRET_ID),
        ("TENCENT_SMS_SECRET_KEY", fake_tencent_sms::SECRET_KEY),
        ("TENCENT_SMS_SDK_APP_ID", fake_tencent_sms::SDK_APP_ID),
        ("TENCENT_SMS_SIGN_NAME", fake_tencent_sms::SIGN_NAME),
        ("TENCENT_SMS_REGISTER_TEMPLATE_ID", fake_tencent_sms::REGISTER_TEMPLATE),
        ("TENCENT_SMS_RESET_TEMPLATE_ID", fake_tencent_sms::RESET_PASSWORD_TEMPLATE),
        ("TENCENT_SMS_REGION", fake_tencent_sms::REGION),
        ("TENCENT_SMS_ENDPOINT", &tencent_endpoint),
    ];
    let Some((a, b, client)) = two_ready_instances("provider_list", &env).await else { return };

    let mobiles: Vec<String> = (0..10).map(|i| format!("1391111{i:04}")).collect();
    for (i, mobile) in mobiles.iter().enumerate() {
        let instance = if i % 2 == 0 { &a } else { &b };
        assert_eq!(instance.request_code(&client, mobile).await, StatusCode::OK);
    }
    // Sent messages per number, at either provider.
    let sent = || {
        let mut per_mobile: HashMap<String, usize> = HashMap::new();
        let at_aliyun = aliyun.accepted().into_iter().filter(|r| r.answer == fake_aliyun_sms::Answer::Sent);
        for request in at_aliyun {
            *per_mobile.entry(request.phone_number().to_owned()).or_default() += 1;
        }
        for request in tencent.accepted().into_iter().filter(|r| r.answer == fake_tencent_sms::Answer::Sent) {
            *per_mobile.entry(request.phone_number().trim_start_matches("+86").to_owned()).or_default() += 1;
        }
        per_mobile
    };
    for _ in 0..100 {
        if mobiles.iter().all(|m| sent().contains_key(m)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a second delivery, if there were one, time to show up.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let per_mobile = sent();
    for mobile in &mobiles {
        assert_eq!(per_mobile.get(mobile), Some(&1), "sends to {mobile}: {per_mobile:?}");
    }
    assert_eq!(tencent.accepted().len(), 3, "the three messages Alibaba could not carry, and only those");
    let out_ids: std::collections::HashSet<String> = aliyun.accepted().iter().map(|r| r.out_id().to_owned()).collect();
    assert_eq!(out_ids.len(), 10, "one outbox id per message at Alibaba: {out_ids:?}");
}
