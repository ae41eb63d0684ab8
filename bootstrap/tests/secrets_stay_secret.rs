//! Started with `RUST_LOG=trace` and every secret set, the service writes no secret to its log
//! while it signs tokens, sends mail and SMS through real adapters and talks to QQ and WeChat;
//! neither does `config-table`, a refused start, nor the configuration's `Debug`; nor does a service signing
//! access tokens with a private key show any part of it.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]
// Jail's closures must return figment's large error; it is not ours to box.
#![allow(clippy::result_large_err)]

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use bootstrap::Config;
use bootstrap::config::SETTINGS;
use reqwest::{Client, StatusCode, redirect};
use serde_json::{Value, json};
use test_support::fake_aliyun_sms::{self, FakeAliyunSms};
use test_support::fake_qq::{self, FakeQq};
use test_support::fake_tencent_sms::{self, FakeTencentSms};
use test_support::fake_wechat::{self, FakeWeChat};
use test_support::smtp_sink::SmtpSink;
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_meiduo-accounts");
const JWT_SECRET: &str = "SECRET-jwt-5d0c7e1a9b3f46e28a7c1d4e9f0b2a6c";
const SMTP_USER: &str = "mailer@example.com";
const SMTP_PASSWORD: &str = "SECRET-smtp-8e2f4a6c0b1d3e5f";
const WAIT: Duration = Duration::from_secs(15);

/// Every secret setting and its value: recognisable where the value is ours to choose, the
/// fakes' own keys where they check them (they are as unlikely to turn up by chance).
const SECRETS: &[(&str, &str)] = &[
    ("JWT_SECRET", JWT_SECRET),
    ("SMTP_PASSWORD", SMTP_PASSWORD),
    ("TENCENT_SMS_SECRET_KEY", fake_tencent_sms::SECRET_KEY),
    ("ALIYUN_ACCESS_KEY_SECRET", fake_aliyun_sms::ACCESS_KEY_SECRET),
    ("QQ_CLIENT_SECRET", fake_qq::CLIENT_SECRET),
    ("WECHAT_MP_SECRET", fake_wechat::MP_SECRET),
    ("WECHAT_WEB_SECRET", fake_wechat::WEB_SECRET),
];

/// Passwords inside the database and Redis URLs, which are shown with them replaced by `***`.
const DATABASE_PASSWORD: &str = "SECRET-db-3c9a1e7f5b2d";
const REDIS_PASSWORD: &str = "SECRET-redis-6b2d8f0a4c1e";

/// The fakes every secret goes to.
struct Providers {
    smtp: SmtpSink,
    sms: FakeTencentSms,
    /// The first SMS provider, out of service, so that codes go on to Tencent.
    aliyun: FakeAliyunSms,
    qq: FakeQq,
    wechat: FakeWeChat,
}

impl Providers {
    async fn start() -> Self {
        Self {
            smtp: SmtpSink::plain().await,
            sms: FakeTencentSms::start().await,
            aliyun: {
                let aliyun = FakeAliyunSms::start().await;
                aliyun.answer(fake_aliyun_sms::Answer::Refused("isv.OUT_OF_SERVICE", "业务停机"));
                aliyun
            },
            qq: FakeQq::start().await,
            wechat: FakeWeChat::start().await,
        }
    }

    /// The environment that sends every secret somewhere: signing, SMTP, Tencent SMS, QQ, WeChat.
    fn environment(&self, data_dir: &std::path::Path) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = SECRETS.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let settings = [
            ("RUST_LOG", "trace".to_owned()),
            ("DATA_DIR", data_dir.display().to_string()),
            ("PASSWORD_HASH_CONCURRENCY", "1".to_owned()),
            ("OUTBOX_POLL_MS", "50".to_owned()),
            ("CODE_RESEND_INTERVAL_SECS", "0".to_owned()),
            // Real providers turn it off; the test reads captcha answers there.
            ("DEV_OUTBOX", "true".to_owned()),
            ("SMTP_HOST", "127.0.0.1".to_owned()),
            ("SMTP_PORT", self.smtp.port().to_string()),
            ("SMTP_TLS", "none".to_owned()),
            ("SMTP_USERNAME", SMTP_USER.to_owned()),
            ("MAIL_FROM", "no-reply@example.com".to_owned()),
            ("SMS_PROVIDER", "aliyun,tencent".to_owned()),
            ("ALIYUN_ACCESS_KEY_ID", fake_aliyun_sms::ACCESS_KEY_ID.to_owned()),
            ("ALIYUN_SMS_SIGN_NAME", fake_aliyun_sms::SIGN_NAME.to_owned()),
            ("ALIYUN_SMS_REGISTER_TEMPLATE_CODE", fake_aliyun_sms::REGISTER_TEMPLATE.to_owned()),
            ("ALIYUN_SMS_RESET_TEMPLATE_CODE", fake_aliyun_sms::RESET_PASSWORD_TEMPLATE.to_owned()),
            ("ALIYUN_SMS_ENDPOINT", self.aliyun.endpoint()),
            ("TENCENT_SMS_SECRET_ID", fake_tencent_sms::SECRET_ID.to_owned()),
            ("TENCENT_SMS_SDK_APP_ID", fake_tencent_sms::SDK_APP_ID.to_owned()),
            ("TENCENT_SMS_SIGN_NAME", fake_tencent_sms::SIGN_NAME.to_owned()),
            ("TENCENT_SMS_REGISTER_TEMPLATE_ID", fake_tencent_sms::REGISTER_TEMPLATE.to_owned()),
            ("TENCENT_SMS_RESET_TEMPLATE_ID", fake_tencent_sms::RESET_PASSWORD_TEMPLATE.to_owned()),
            ("TENCENT_SMS_REGION", fake_tencent_sms::REGION.to_owned()),
            ("TENCENT_SMS_ENDPOINT", self.sms.endpoint()),
            ("QQ_CLIENT_ID", fake_qq::CLIENT_ID.to_owned()),
            ("QQ_REDIRECT_URI", fake_qq::REDIRECT_URI.to_owned()),
            ("QQ_API_BASE", self.qq.base_url()),
            ("WECHAT_MP_APPID", fake_wechat::MP_APP_ID.to_owned()),
            ("WECHAT_WEB_APPID", fake_wechat::WEB_APP_ID.to_owned()),
            ("WECHAT_WEB_REDIRECT_URI", fake_wechat::WEB_REDIRECT_URI.to_owned()),
            ("WECHAT_API_BASE", self.wechat.base_url()),
            ("WECHAT_OPEN_BASE", self.wechat.base_url()),
        ];
        env.extend(settings.into_iter().map(|(k, v)| (k.to_owned(), v)));
        env
    }
}

/// The secrets that `text` shows, by variable.
fn secrets_in(text: &str) -> Vec<&'static str> {
    let passwords = [("DATABASE_URL", DATABASE_PASSWORD), ("REDIS_URL", REDIS_PASSWORD)];
    SECRETS.iter().chain(&passwords).filter(|(_, value)| text.contains(value)).map(|(name, _)| *name).collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn every_secret_setting_is_given_a_value_here() {
    let declared: BTreeSet<String> =
        SETTINGS.iter().filter(|s| s.secret).map(bootstrap::config::Setting::variable).collect();
    let given: BTreeSet<String> = SECRETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(declared, given, "SECRETS must hold every secret setting, and only those");
}

#[cfg(unix)]
#[tokio::test]
async fn a_service_logging_everything_logs_no_secret() {
    let providers = Providers::start().await;
    let data_dir = tempfile::tempdir().unwrap();
    let log_path = data_dir.path().join("service.log");
    let port = free_port();
    let mut service = Command::new(BINARY)
        .arg("serve")
        .env_clear()
        .envs(providers.environment(data_dir.path()))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("start meiduo-accounts");
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    wait_until_ready(&client, &base).await;

    // An SMS code signed for Alibaba Cloud (the AccessKey secret), which is out of service, then
    // through Tencent Cloud (signed with the secret key), a registration and a
    // login (tokens signed with the JWT secret), a code mail through SMTP (signed in with the
    // password), a QQ authorize URL, and a mini-program login (the AppSecret in WeChat's query).
    let mobile = "13800138000";
    let (id, text) = captcha(&client, &base).await;
    let sent = client.get(format!("{base}/sms_codes/{mobile}/?image_code_id={id}&text={text}")).send().await.unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let sms = providers.sms.next_request_to(mobile, WAIT).await;
    assert_eq!(providers.aliyun.next_request_to(mobile, WAIT).await.code(), sms.code());
    let registration = json!({"username": "secretive", "password": "correct-horse", "password2": "correct-horse",
        "mobile": mobile, "sms_code": sms.code(), "allow": "true"});
    let registered = client.post(format!("{base}/users/")).json(&registration).send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let login = json!({"username": "secretive", "password": "correct-horse"});
    let logged_in = client.post(format!("{base}/authorizations/")).json(&login).send().await.unwrap();
    assert_eq!(logged_in.status(), StatusCode::OK);
    let token = logged_in.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let me = client.get(format!("{base}/user/")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let mailed = client.get(format!("{base}/email_codes/erin@example.com/?send_type=register")).send().await.unwrap();
    assert_eq!(mailed.status(), StatusCode::OK);
    let mail = providers.smtp.next_mail_to("erin@example.com", WAIT).await;
    assert_eq!(mail.delivery.auth, Some((SMTP_USER.to_owned(), SMTP_PASSWORD.to_owned())));

    let started = client.get(format!("{base}/oauth/qq/authorization/?next=/")).send().await.unwrap();
    assert_eq!(started.status(), StatusCode::OK);
    let hop = started.json::<Value>().await.unwrap()["login_url"].as_str().unwrap().to_owned();
    let departed = client.get(&hop).send().await.unwrap();
    assert_eq!(departed.status(), StatusCode::FOUND);

    providers.wechat.add_mp_code("js-code", "MP-OPENID", None, "SESSION-KEY");
    let mini = client.post(format!("{base}/oauth/wechat/miniprogram/")).json(&json!({"code": "js-code"})).send();
    assert_eq!(mini.await.unwrap().status(), StatusCode::OK);

    stop(&mut service).await;
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("TRACE") && log.contains("tencent sms: sent") && log.contains("aliyun sms: not sent"),
        "not the whole log:\n{log}"
    );
    assert_eq!(secrets_in(&log), Vec::<&str>::new(), "secrets in the log");
}

/// The base64 lines of a PEM key: none may turn up in a log or a message.
fn pem_lines(pem: &str) -> Vec<&str> {
    pem.lines().filter(|line| !line.starts_with("-----") && !line.is_empty()).collect()
}

/// With `JWT_ALGORITHM=EdDSA` in the embedded mode the private key is generated into `DATA_DIR`;
/// logging everything while it signs tokens, and refusing a key of the wrong curve, show no part of a
/// private key.
#[cfg(unix)]
#[tokio::test]
async fn a_service_signing_with_a_private_key_logs_no_part_of_it() {
    let data_dir = tempfile::tempdir().unwrap();
    let log_path = data_dir.path().join("service.log");
    let port = free_port();
    let mut service = Command::new(BINARY)
        .arg("serve")
        .env_clear()
        .env("DATA_DIR", data_dir.path())
        .env("JWT_ALGORITHM", "EdDSA")
        .env("RUST_LOG", "trace")
        .env("PASSWORD_HASH_CONCURRENCY", "1")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("start meiduo-accounts");
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    wait_until_ready(&client, &base).await;
    let mobile = "13800138000";
    let (id, text) = captcha(&client, &base).await;
    let sent = client.get(format!("{base}/sms_codes/{mobile}/?image_code_id={id}&text={text}")).send().await.unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let mut code = None;
    for _ in 0..100 {
        let outbox: Value = client.get(format!("{base}/dev/outbox/")).send().await.unwrap().json().await.unwrap();
        code = outbox["messages"][0]["code"].as_str().map(str::to_owned);
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let registration = json!({"username": "signer", "password": "correct-horse", "password2": "correct-horse",
        "mobile": mobile, "sms_code": code.expect("a code in the outbox"), "allow": "true"});
    let registered = client.post(format!("{base}/users/")).json(&registration).send().await.unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let token = registered.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let me = client.get(format!("{base}/user/")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let jwks = client.get(format!("{base}/.well-known/jwks.json")).send().await.unwrap().text().await.unwrap();
    stop(&mut service).await;

    let key = std::fs::read_to_string(data_dir.path().join("jwt_eddsa_key.pem")).unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("DEBUG") && log.contains("generated an access-token key"), "not the whole log:\n{log}");
    for line in pem_lines(&key) {
        assert!(!log.contains(line) && !jwks.contains(line), "a line of the private key was shown");
    }

    // A private key of another curve is refused by name, without its content.
    let es256 = data_dir.path().join("es256.pem");
    let generated = StdCommand::new(BINARY)
        .args(["keys", "generate", "--algorithm", "ES256", "--out"])
        .arg(&es256)
        .output()
        .unwrap();
    assert!(generated.status.success());
    let refused = StdCommand::new(BINARY)
        .arg("serve")
        .env_clear()
        .env("DATA_DIR", data_dir.path())
        .env("JWT_ALGORITHM", "EdDSA")
        .env("JWT_PRIVATE_KEY_FILE", &es256)
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let shown = format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(shown.contains("JWT_PRIVATE_KEY_FILE"), "{shown}");
    for line in pem_lines(&std::fs::read_to_string(&es256).unwrap()) {
        assert!(!shown.contains(line), "a line of the refused key was shown: {shown}");
    }
}

/// The configuration table, a start refused for a bad value or an unreachable database, and
/// the loaded configuration's `Debug` and serialisation, all with every secret set and
/// passwords in the database and Redis URLs.
#[tokio::test]
async fn the_configuration_table_errors_and_debug_show_no_secret() {
    let providers = Providers::start().await;
    let data_dir = tempfile::tempdir().unwrap();
    let mut environment = providers.environment(data_dir.path());
    // Nothing listens on port 1: a start gets as far as connecting to the database, and no further.
    environment.extend([
        ("DATABASE_URL".to_owned(), format!("postgres://shop:{DATABASE_PASSWORD}@127.0.0.1:1/accounts")),
        ("REDIS_URL".to_owned(), format!("redis://:{REDIS_PASSWORD}@127.0.0.1:1")),
        ("DATABASE_TIMEOUT_SECS".to_owned(), "1".to_owned()),
    ]);

    let table = StdCommand::new(BINARY).arg("config-table").env_clear().envs(environment.clone()).output().unwrap();
    assert!(table.status.success());
    let shown = format!("{}{}", String::from_utf8_lossy(&table.stdout), String::from_utf8_lossy(&table.stderr));
    assert!(shown.contains("`JWT_SECRET`"), "{shown}");
    assert_eq!(secrets_in(&shown), Vec::<&str>::new(), "secrets in config-table");

    let unreachable = StdCommand::new(BINARY).arg("serve").env_clear().envs(environment.clone()).output().unwrap();
    assert_eq!(unreachable.status.code(), Some(1));
    let said = String::from_utf8_lossy(&unreachable.stderr);
    assert!(said.contains("postgres://shop:***@127.0.0.1:1/accounts"), "{said}");
    assert_eq!(secrets_in(&said), Vec::<&str>::new(), "secrets in the failed start");

    for (variable, bad) in [("SMTP_TLS", "ssl"), ("JWT_LIFETIME_SECS", "0"), ("CORS_ALLOWED_ORIGINS", "*")] {
        let refused =
            StdCommand::new(BINARY).arg("serve").env_clear().envs(environment.clone()).env(variable, bad).output();
        let refused = refused.unwrap();
        assert_eq!(refused.status.code(), Some(1), "{variable}={bad}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(variable), "{variable}={bad}: {said}");
        assert_eq!(secrets_in(&said), Vec::<&str>::new(), "secrets in the refusal of {variable}={bad}");
    }

    figment::Jail::expect_with(|jail| {
        jail.clear_env();
        for (name, value) in &environment {
            jail.set_env(name, value);
        }
        let config = Config::load(None).map_err(|error| error.to_string())?;
        let debug = format!(
            "{config:#?} {:?} {:?} {:?} {:?} {:?}",
            config.smtp_settings(),
            config.tencent_sms_settings(),
            config.aliyun_sms_settings(),
            config.qq_settings(),
            config.wechat_settings()
        );
        assert!(
            debug.contains(fake_tencent_sms::SECRET_ID) && debug.contains("shop:***@"),
            "not the whole configuration: {debug}"
        );
        assert_eq!(secrets_in(&debug), Vec::<&str>::new(), "secrets in Debug: {debug}");
        let serialised = serde_json::to_string(&config).unwrap();
        assert_eq!(secrets_in(&serialised), Vec::<&str>::new(), "secrets serialised: {serialised}");
        Ok(())
    });
}

async fn wait_until_ready(client: &Client, base: &str) {
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("{base}/health/ready/")).send().await
            && response.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} did not become ready");
}

/// A captcha and its answer, read from the development outbox.
async fn captcha(client: &Client, base: &str) -> (String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    assert_eq!(client.get(format!("{base}/image_codes/{id}/")).send().await.unwrap().status(), StatusCode::OK);
    let outbox: Value = client.get(format!("{base}/dev/outbox/")).send().await.unwrap().json().await.unwrap();
    let text = outbox["captchas"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, text)
}

/// SIGTERM, then the graceful stop's last lines.
#[cfg(unix)]
async fn stop(service: &mut tokio::process::Child) {
    let pid = service.id().expect("still running").to_string();
    assert!(StdCommand::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(WAIT, service.wait()).await.expect("stopped within 15 s").unwrap();
    assert!(status.success(), "exit status {status}");
}
