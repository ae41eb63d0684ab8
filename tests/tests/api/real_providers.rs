//! The server with its real message senders: mail through SMTP to the loopback sink,
//! SMS through Tencent Cloud's API to the local fake; what people see over HTTP, what
//! the providers receive, and what the outbox records when a provider refuses.

use std::time::Duration;

use bootstrap::config::{RealSmsProvider, SmsProvider};
use bootstrap::{Application, Config};
use providers::messaging::SmtpTls;
use reqwest::StatusCode;
use serde_json::{Value, json};
use test_support::fake_tencent_sms::{self, Answer, FakeTencentSms};
use test_support::smtp_sink::{Mail, Script, SinkTls, SmtpSink};

use crate::support::{JWT_SECRET, TestApp, assert_error, body, spawn_app_with};

/// How long a message may take from the request that queued it to the provider.
const WAIT: Duration = Duration::from_secs(10);
const SMTP_USER: &str = "mailer@example.com";
const SMTP_PASSWORD: &str = "smtp-pa55";
const VERIFY_PAGE: &str = "https://shop.example.com/success_verify_email.html";

/// Mail through `sink`: no TLS, signing in so that AUTH is part of every dialogue.
fn with_smtp(config: &mut Config, sink: &SmtpSink) {
    config.smtp_host = Some("127.0.0.1".into());
    config.smtp_port = sink.port();
    config.smtp_tls = SmtpTls::None;
    config.smtp_username = Some(SMTP_USER.into());
    config.smtp_password = Some(SMTP_PASSWORD.into());
    config.mail_from = "美多商城 <no-reply@example.com>".into();
    config.smtp_timeout_secs = Duration::from_secs(5);
}

/// SMS through `fake` with the credentials, app, signature and templates it knows.
pub fn with_tencent(config: &mut Config, fake: &FakeTencentSms) {
    config.sms_provider = SmsProvider::only(RealSmsProvider::Tencent);
    config.tencent_sms_secret_id = Some(fake_tencent_sms::SECRET_ID.into());
    config.tencent_sms_secret_key = Some(fake_tencent_sms::SECRET_KEY.into());
    config.tencent_sms_sdk_app_id = Some(fake_tencent_sms::SDK_APP_ID.into());
    config.tencent_sms_sign_name = Some(fake_tencent_sms::SIGN_NAME.into());
    config.tencent_sms_register_template_id = Some(fake_tencent_sms::REGISTER_TEMPLATE.into());
    config.tencent_sms_reset_template_id = Some(fake_tencent_sms::RESET_PASSWORD_TEMPLATE.into());
    config.tencent_sms_region = fake_tencent_sms::REGION.into();
    config.tencent_sms_endpoint = fake.endpoint();
    config.sms_timeout_secs = Duration::from_secs(5);
}

/// Retries within milliseconds, and at most three attempts.
pub(crate) fn with_quick_retries(config: &mut Config) {
    config.outbox_poll_ms = Duration::from_millis(20);
    config.outbox_first_backoff_ms = Duration::from_millis(20);
    config.outbox_max_attempts = 3;
}

/// The six digits after "验证码为：" in a code mail's text.
fn code_in(mail: &Mail) -> String {
    let (_, after) = mail.text.split_once("验证码为：").unwrap_or_else(|| panic!("no code in {}", mail.text));
    let code: String = after.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{}", mail.text);
    assert!(mail.html.contains(&code), "{}", mail.html);
    code
}

/// The verification link in a mail's text, checked against its HTML part.
fn link_in(mail: &Mail) -> String {
    let start = mail.text.find(VERIFY_PAGE).unwrap_or_else(|| panic!("no link in {}", mail.text));
    let link: String = mail.text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    assert!(mail.html.contains(&format!("<a href=\"{}\">", link.replace('&', "&amp;"))), "{}", mail.html);
    link
}

/// The request was answered at once: the message is queued, whatever becomes of it.
pub(crate) async fn assert_queued(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"message": "OK"}));
}

fn email_registration(username: &str, email: &str, code: &str) -> Value {
    json!({"username": username, "password": "correct-horse", "password2": "correct-horse",
        "email": email, "email_code": code, "allow": true})
}

fn new_password(token: &str) -> Value {
    json!({"password": "battery-staple", "password2": "battery-staple", "access_token": token})
}

async fn me(app: &TestApp, token: &str) -> Value {
    let response = app.client.get(app.url("/user/")).header("Authorization", format!("JWT {token}")).send().await;
    body(response.expect("request")).await
}

/// The newest outbox row for `recipient`: status, attempts, last error, code.
pub(crate) type OutboxRow = (String, i64, Option<String>, Option<String>);

pub(crate) async fn newest_row(app: &TestApp, recipient: &str) -> Option<OutboxRow> {
    let database = app.database().await;
    let row = sqlx::query_as(
        "SELECT status, attempts, last_error, code FROM outbox_messages WHERE recipient = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(recipient)
    .fetch_optional(&database)
    .await
    .expect("read the outbox");
    database.close().await;
    row
}

/// Waits for the newest message to `recipient` to be sent or given up on.
pub(crate) async fn settled(app: &TestApp, recipient: &str) -> OutboxRow {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match newest_row(app, recipient).await {
            Some(row) if row.0 != "pending" => return row,
            row if tokio::time::Instant::now() >= deadline => panic!("not settled within {WAIT:?}: {row:?}"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

// ------------------------------------------------------------------ mail through SMTP

#[tokio::test]
async fn by_smtp_a_person_registers_binds_a_new_address_and_recovers_the_password() {
    let sink = SmtpSink::plain().await;
    let app = spawn_app_with(|config| {
        with_smtp(config, &sink);
        // SMS stays on the development adapter; the outbox is forced on to show that no mail went there.
        config.dev_outbox = Some(true);
        config.email_verification_url = VERIFY_PAGE.into();
        // The second address gets the verification link and then the find-password code.
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await;

    // Register with a code mailed to the first address.
    assert_queued(app.get("/email_codes/Erin@Example.com/?send_type=register").await).await;
    let mail = sink.next_mail_to("erin@example.com", WAIT).await;
    assert_eq!(mail.subject, "美多商城 注册验证码");
    assert_eq!(mail.delivery.auth, Some((SMTP_USER.to_owned(), SMTP_PASSWORD.to_owned())));
    assert_eq!(mail.delivery.mail_from, "no-reply@example.com");
    assert_eq!(mail.header("To"), Some("erin@example.com"));
    let from = mail.header("From").unwrap_or_default();
    assert!(from.contains("美多商城") && from.contains("<no-reply@example.com>"), "{from}");
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("注册") && part.contains("5 分钟内有效"), "{part}");
    }
    let code = code_in(&mail);
    let response = app.post_json("/users/", &email_registration("erin_1", "erin@example.com", &code)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let registered = body(response).await;
    let token = registered["token"].as_str().expect("token").to_owned();
    let user_id = registered["id"].as_i64().expect("id");
    assert_eq!(me(&app, &token).await["email_active"], true);

    // Bind a second address and open the link mailed to it.
    let response =
        app.client.put(app.url("/email/")).bearer_auth(&token).json(&json!({"email": "erin@example.org"})).send().await;
    assert_eq!(response.expect("request").status(), StatusCode::OK);
    let user = me(&app, &token).await;
    assert_eq!((user["email"].as_str(), user["email_active"].as_bool()), (Some("erin@example.org"), Some(false)));
    let mail = sink.next_mail_to("erin@example.org", WAIT).await;
    assert_eq!(mail.subject, "美多商城 邮箱验证");
    let link = link_in(&mail);
    let query = link.strip_prefix(&format!("{VERIFY_PAGE}?")).unwrap_or_else(|| panic!("{link}"));
    assert!(query.starts_with("token="), "{link}");
    let response = app.get(&format!("/emails/verification/?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let user = me(&app, &token).await;
    assert_eq!((user["email"].as_str(), user["email_active"].as_bool()), (Some("erin@example.org"), Some(true)));

    // Recover the password with a code mailed to the bound address.
    assert_queued(app.get("/email_codes/erin@example.org/?send_type=resetpwd").await).await;
    let mail = sink.next_mail_to("erin@example.org", WAIT).await;
    assert_eq!(mail.subject, "美多商城 找回密码验证码");
    assert!(mail.text.contains("找回"), "{}", mail.text);
    let code = code_in(&mail);
    let response = app.get(&format!("/accounts/erin@example.org/password/token/?email_code={code}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let confirmed = body(response).await;
    assert_eq!(confirmed["user_id"], user_id);
    let access_token = confirmed["access_token"].as_str().expect("access_token");
    let response = app.post_json(&format!("/users/{user_id}/password/"), &new_password(access_token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.log_in("erin@example.org", "battery-staple").await.status(), StatusCode::OK);
    assert_eq!(app.log_in("erin_1", "battery-staple").await.status(), StatusCode::OK);
    assert_error(app.log_in("erin_1", "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;

    // Three mails, each signed in and on its own; none went to the development outbox.
    let deliveries = sink.deliveries();
    assert_eq!(deliveries.len(), 3, "{deliveries:#?}");
    assert!(deliveries.iter().all(|d| d.auth.is_some() && d.rcpt_to.len() == 1), "{deliveries:#?}");
    assert_eq!(app.dev_outbox().await["messages"], json!([]));
    assert_eq!(settled(&app, "erin@example.org").await, ("sent".to_owned(), 1, None, None));
}

// ------------------------------------------------------------------ SMS through Tencent Cloud

#[tokio::test]
async fn by_tencent_sms_a_person_registers_and_recovers_the_password() {
    let fake = FakeTencentSms::start().await;
    // Email stays on the development adapter; with DEV_OUTBOX=true captchas can be read from /dev/outbox/.
    let app = spawn_app_with(|config| {
        with_tencent(config, &fake);
        config.dev_outbox = Some(true);
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await;

    assert_queued(app.request_sms_code("13800138000").await).await;
    let sent = fake.next_request_to("13800138000", WAIT).await;
    assert_eq!(sent.template_id(), fake_tencent_sms::REGISTER_TEMPLATE);
    assert_eq!(sent.body["TemplateParamSet"][1], "5", "the validity in minutes");
    assert_eq!((sent.body["SignName"].as_str(), sent.phone_number()), (Some("美多商城"), "+8613800138000"));
    let response = app.post_json("/users/", &TestApp::registration("alice", "13800138000", sent.code())).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let user_id = body(response).await["id"].as_i64().expect("id");
    assert!(app.codes_sent_to("13800138000").await.is_empty(), "an SMS reached the development outbox");

    // Find password: captcha and account, an SMS to the account's mobile, its code, the new password.
    let (id, text) = app.captcha().await;
    let response = app.get(&format!("/accounts/alice/sms/token/?image_code_id={id}&text={text}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let started = body(response).await;
    assert_eq!(started["mobile"], "138****8000");
    let step_one = started["access_token"].as_str().expect("access_token");
    assert_queued(app.get(&format!("/sms_codes/?access_token={step_one}")).await).await;
    let sent = fake.next_request_to("13800138000", WAIT).await;
    assert_eq!(sent.template_id(), fake_tencent_sms::RESET_PASSWORD_TEMPLATE);
    let response = app.get(&format!("/accounts/alice/password/token/?sms_code={}", sent.code())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let confirmed = body(response).await;
    assert_eq!(confirmed["user_id"], user_id);
    let access_token = confirmed["access_token"].as_str().expect("access_token");
    let response = app.post_json(&format!("/users/{user_id}/password/"), &new_password(access_token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.log_in("13800138000", "battery-staple").await.status(), StatusCode::OK);
    assert_error(app.log_in("alice", "correct-horse").await, StatusCode::BAD_REQUEST, "invalid_credentials").await;

    // Two signed requests, both answered Ok; the outbox kept no code.
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 2);
    assert!(accepted.iter().all(|a| a.answer == Answer::Sent));
    assert_eq!(fake.requests(), 2, "a request failed the fake's signature or parameter checks");
    assert_eq!(settled(&app, "13800138000").await, ("sent".to_owned(), 1, None, None));
}

// ------------------------------------------------------------------ refusals and retries

#[tokio::test]
async fn a_number_tencent_refuses_for_good_is_given_up_on_at_once_with_the_provider_code() {
    let fake = FakeTencentSms::start().await;
    fake.answer(Answer::NumberStatus("InvalidParameterValue.IncorrectPhoneNumber", "incorrect mobile number format"));
    let app = spawn_app_with(|config| {
        with_tencent(config, &fake);
        with_quick_retries(config);
        // The captcha's answer is read from the development outbox.
        config.dev_outbox = Some(true);
    })
    .await;

    assert_queued(app.request_sms_code("13800138000").await).await;

    let (status, attempts, last_error, code) = settled(&app, "13800138000").await;
    assert_eq!((status.as_str(), attempts, code), ("dead", 1, None));
    let last_error = last_error.expect("last_error");
    assert!(last_error.contains("InvalidParameterValue.IncorrectPhoneNumber"), "{last_error}");
    assert_eq!(fake.accepted().len(), 1, "a refusal for good is not retried");
}

#[tokio::test]
async fn a_recipient_the_smtp_server_refuses_is_given_up_on_at_once_with_its_reply() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: Some("550 5.1.1 no such user"), data: None }).await;
    let app = spawn_app_with(|config| {
        with_smtp(config, &sink);
        with_quick_retries(config);
    })
    .await;

    assert_queued(app.get("/email_codes/nobody@example.com/?send_type=register").await).await;

    let (status, attempts, last_error, code) = settled(&app, "nobody@example.com").await;
    assert_eq!((status.as_str(), attempts, code), ("dead", 1, None));
    let last_error = last_error.expect("last_error");
    assert!(last_error.contains("550"), "{last_error}");
    assert_eq!(sink.refusals(), ["550 5.1.1 no such user"]);
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn a_deferral_that_outlasts_every_attempt_is_given_up_on_with_the_reply() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: Some("451 4.3.0 try again later"), data: None }).await;
    let app = spawn_app_with(|config| {
        with_smtp(config, &sink);
        with_quick_retries(config);
    })
    .await;

    assert_queued(app.get("/email_codes/later@example.com/?send_type=register").await).await;

    let (status, attempts, last_error, code) = settled(&app, "later@example.com").await;
    assert_eq!((status.as_str(), attempts, code), ("dead", 3, None));
    let last_error = last_error.expect("last_error");
    assert!(last_error.contains("451"), "{last_error}");
    assert_eq!(sink.refusals().len(), 3);
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn a_mail_deferred_once_is_delivered_on_retry_and_its_code_works() {
    let sink = SmtpSink::plain().await;
    sink.script_once(Script { rcpt: Some("451 4.3.0 try again later"), data: None });
    let app = spawn_app_with(|config| {
        with_smtp(config, &sink);
        with_quick_retries(config);
    })
    .await;

    assert_queued(app.get("/email_codes/retry@example.com/?send_type=register").await).await;

    let mail = sink.next_mail_to("retry@example.com", WAIT).await;
    assert_eq!(sink.refusals(), ["451 4.3.0 try again later"]);
    assert_eq!(settled(&app, "retry@example.com").await, ("sent".to_owned(), 2, None, None));
    let response = app.post_json("/users/", &email_registration("retry_1", "retry@example.com", &code_in(&mail))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_sms_tencent_fails_to_send_once_is_sent_on_retry_and_its_code_works() {
    let fake = FakeTencentSms::start().await;
    fake.answer_once(Answer::RequestError("InternalError", "an internal error occurred, please retry later"));
    let app = spawn_app_with(|config| {
        with_tencent(config, &fake);
        with_quick_retries(config);
        // The captcha's answer is read from the development outbox.
        config.dev_outbox = Some(true);
    })
    .await;

    assert_queued(app.request_sms_code("13800138000").await).await;

    let failed = fake.next_request_to("13800138000", WAIT).await;
    assert!(matches!(failed.answer, Answer::RequestError("InternalError", _)), "{:?}", failed.answer);
    let sent = fake.next_request_to("13800138000", WAIT).await;
    assert_eq!(sent.answer, Answer::Sent);
    assert_eq!(sent.code(), failed.code(), "the retry sends the same code");
    assert_eq!(settled(&app, "13800138000").await, ("sent".to_owned(), 2, None, None));
    let response = app.post_json("/users/", &TestApp::registration("bob_1", "13800138000", sent.code())).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

// ------------------------------------------------------------------ no development outbox

#[tokio::test]
async fn with_both_providers_real_the_development_outbox_is_gone_and_codes_stay_secret() {
    let sink = SmtpSink::plain().await;
    let fake = FakeTencentSms::start().await;
    let app = spawn_app_with(|config| {
        with_smtp(config, &sink);
        with_tencent(config, &fake);
        // A deferred mail then waits a minute in the outbox, its code with it.
        config.outbox_first_backoff_ms = Duration::from_secs(60);
    })
    .await;
    // Mail goes out through SMTP.
    assert_queued(app.get("/email_codes/yan@example.com/?send_type=register").await).await;
    code_in(&sink.next_mail_to("yan@example.com", WAIT).await);

    sink.set_script(Script { rcpt: Some("451 4.3.0 try again later"), data: None });
    let response = app.get("/email_codes/zoe@example.com/?send_type=register").await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer = response.text().await.expect("body");
    let (status, _, _, code) = newest_row(&app, "zoe@example.com").await.expect("a queued message");
    let code = code.expect("the queued message holds its code");
    assert_eq!(status, "pending");
    assert!(!answer.contains(&code), "{answer}");

    let id = uuid::Uuid::new_v4();
    let captcha = app.get(&format!("/image_codes/{id}/")).await;
    assert_eq!(captcha.status(), StatusCode::OK);
    assert_eq!(captcha.headers()["content-type"], "image/png");
    for path in ["/dev/outbox/", "/dev/outbox"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let answer = response.text().await.expect("body");
        assert!(!answer.contains(&code), "{path}: {answer}");
    }
    assert_eq!(newest_row(&app, "zoe@example.com").await.map(|row| row.0), Some("pending".to_owned()));
    assert_eq!(fake.requests(), 0);
}

// ------------------------------------------------------------------ start-up checks

/// The error `Application::start` gives for the test defaults changed by `configure`.
async fn start_error(configure: impl FnOnce(&mut Config)) -> String {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        bind_addr: ([127, 0, 0, 1], 0).into(),
        data_dir: data_dir.path().to_path_buf(),
        jwt_secret: Some(JWT_SECRET.into()),
        password_hash_concurrency: 2,
        ..Config::default()
    };
    configure(&mut config);
    match Application::start(config).await {
        Ok(_) => panic!("the server started"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn start_up_refuses_incomplete_or_unknown_provider_settings_and_names_the_variable() {
    let fake = FakeTencentSms::start().await;
    let error = start_error(|config| {
        with_tencent(config, &fake);
        config.tencent_sms_secret_key = None;
    })
    .await;
    assert!(error.contains("TENCENT_SMS_SECRET_KEY"), "{error}");

    let error = start_error(|config| {
        with_tencent(config, &fake);
        config.tencent_sms_secret_id = Some("  ".into());
    })
    .await;
    assert!(error.contains("TENCENT_SMS_SECRET_ID"), "{error}");

    // A choice the settings' types refuse cannot be put in a `Config`: reading it stops the start.
    let error = load_error("sms_provider = \"aliyun,twilio\"\n");
    assert!(error.contains("SMS_PROVIDER") && error.contains("twilio"), "{error}");

    let error = load_error(&format!(
        "smtp_host = \"127.0.0.1\"\nsmtp_username = \"{SMTP_USER}\"\nsmtp_password = \"{SMTP_PASSWORD}\"\nsmtp_tls = \"ssl\"\n"
    ));
    assert!(error.contains("SMTP_TLS") && error.contains("ssl"), "{error}");
    assert!(!error.contains(SMTP_PASSWORD), "{error}");
}

/// The error `Config::load` gives for a configuration file holding `toml`.
fn load_error(toml: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("accounts.toml");
    std::fs::write(&file, toml).expect("write the configuration file");
    match Config::load(Some(&file)) {
        Ok(_) => panic!("the configuration was accepted"),
        Err(error) => error.to_string(),
    }
}
