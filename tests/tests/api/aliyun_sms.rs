//! The server sending SMS through Alibaba Cloud's API to the local fake dysmsapi, alone or
//! first in `SMS_PROVIDER=aliyun,tencent`: what people can do with the codes, which provider
//! carries a message the first one cannot, and what the outbox records.

use std::time::Duration;

use bootstrap::Config;
use bootstrap::config::{RealSmsProvider, SmsProvider};
use reqwest::StatusCode;
use test_support::fake_aliyun_sms::{self, Answer, FakeAliyunSms};
use test_support::fake_tencent_sms::{self, FakeTencentSms};

use crate::real_providers::{assert_queued, settled, with_quick_retries, with_tencent};
use crate::support::{TestApp, body, spawn_app_with};

const WAIT: Duration = Duration::from_secs(10);
const MOBILE: &str = "13800138000";

/// SMS through `fake` with the credentials, signature and templates it knows.
fn with_aliyun(config: &mut Config, fake: &FakeAliyunSms) {
    config.sms_provider = SmsProvider::only(RealSmsProvider::Aliyun);
    config.aliyun_access_key_id = Some(fake_aliyun_sms::ACCESS_KEY_ID.into());
    config.aliyun_access_key_secret = Some(fake_aliyun_sms::ACCESS_KEY_SECRET.into());
    config.aliyun_sms_sign_name = Some(fake_aliyun_sms::SIGN_NAME.into());
    config.aliyun_sms_register_template_code = Some(fake_aliyun_sms::REGISTER_TEMPLATE.into());
    config.aliyun_sms_reset_template_code = Some(fake_aliyun_sms::RESET_PASSWORD_TEMPLATE.into());
    config.aliyun_sms_endpoint = fake.endpoint();
    config.sms_timeout_secs = Duration::from_secs(5);
}

/// Alibaba Cloud first, Tencent Cloud second.
async fn aliyun_then_tencent(aliyun: &FakeAliyunSms, tencent: &FakeTencentSms) -> TestApp {
    spawn_app_with(|config| {
        with_tencent(config, tencent);
        with_aliyun(config, aliyun);
        config.sms_provider =
            SmsProvider::in_order(&[RealSmsProvider::Aliyun, RealSmsProvider::Tencent]).expect("two providers");
        with_quick_retries(config);
        // The captcha's answer is read from the development outbox.
        config.dev_outbox = Some(true);
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await
}

/// The newest outbox row's `provider_attempts`: which provider carried or failed each attempt.
async fn provider_attempts(app: &TestApp, recipient: &str) -> String {
    let database = app.database().await;
    let (attempts,): (String,) =
        sqlx::query_as("SELECT provider_attempts FROM outbox_messages WHERE recipient = ? ORDER BY id DESC LIMIT 1")
            .bind(recipient)
            .fetch_one(&database)
            .await
            .expect("read the outbox");
    database.close().await;
    attempts
}

/// `accounts_sms_sends_total` for `provider` and `outcome`, 0 when absent.
async fn sms_sends(app: &TestApp, provider: &str, outcome: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.expect("metrics text");
    let series = format!("accounts_sms_sends_total{{provider=\"{provider}\",outcome=\"{outcome}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(series.as_str()))
        .map_or(0, |value| value.trim().parse().expect("a count"))
}

async fn outbox_id(app: &TestApp, recipient: &str) -> i64 {
    let database = app.database().await;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM outbox_messages WHERE recipient = ? ORDER BY id DESC LIMIT 1")
        .bind(recipient)
        .fetch_one(&database)
        .await
        .expect("read the outbox");
    database.close().await;
    id
}

#[tokio::test]
async fn by_aliyun_sms_a_person_registers_with_the_code_delivered() {
    let fake = FakeAliyunSms::start().await;
    let app = spawn_app_with(|config| {
        with_aliyun(config, &fake);
        config.dev_outbox = Some(true);
    })
    .await;

    assert_queued(app.request_sms_code(MOBILE).await).await;
    let sent = fake.next_request_to(MOBILE, WAIT).await;
    assert_eq!(sent.template_code(), fake_aliyun_sms::REGISTER_TEMPLATE);
    assert_eq!(sent.sign_name(), "美多商城");
    assert_eq!(sent.out_id(), outbox_id(&app, MOBILE).await.to_string(), "OutId is the outbox message's id");
    let response = app.post_json("/users/", &TestApp::registration("alice", MOBILE, &sent.code())).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(body(response).await["id"].as_i64().is_some());
    assert!(app.codes_sent_to(MOBILE).await.is_empty(), "an SMS reached the development outbox");
    assert_eq!(fake.requests(), 1, "a request failed the fake's signature or parameter checks");
    assert_eq!(settled(&app, MOBILE).await, ("sent".to_owned(), 1, None, None));
}

#[tokio::test]
async fn out_of_service_at_aliyun_the_code_goes_through_tencent() {
    let aliyun = FakeAliyunSms::start().await;
    aliyun.answer(Answer::Refused("isv.OUT_OF_SERVICE", "业务停机"));
    let tencent = FakeTencentSms::start().await;
    let app = aliyun_then_tencent(&aliyun, &tencent).await;

    assert_queued(app.request_sms_code(MOBILE).await).await;

    let refused = aliyun.next_request_to(MOBILE, WAIT).await;
    let carried = tencent.next_request_to(MOBILE, WAIT).await;
    assert_eq!(carried.template_id(), fake_tencent_sms::REGISTER_TEMPLATE);
    assert_eq!(carried.code(), refused.code(), "the same code, through the next provider");
    assert_eq!(settled(&app, MOBILE).await, ("sent".to_owned(), 1, None, None));
    assert_eq!(provider_attempts(&app, MOBILE).await, "1 aliyun unavailable, 1 tencent sent");
    assert_eq!(sms_sends(&app, "aliyun", "unavailable").await, 1);
    assert_eq!(sms_sends(&app, "tencent", "sent").await, 1);
    assert_eq!(sms_sends(&app, "aliyun", "sent").await, 0);
    let response = app.post_json("/users/", &TestApp::registration("carol", MOBILE, carried.code())).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!((aliyun.accepted().len(), tencent.accepted().len()), (1, 1));
}

#[tokio::test]
async fn a_number_aliyun_refuses_for_good_is_given_up_on_and_not_handed_to_tencent() {
    let aliyun = FakeAliyunSms::start().await;
    aliyun.answer(Answer::Refused("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"));
    let tencent = FakeTencentSms::start().await;
    let app = aliyun_then_tencent(&aliyun, &tencent).await;

    assert_queued(app.request_sms_code(MOBILE).await).await;

    let (status, attempts, last_error, code) = settled(&app, MOBILE).await;
    assert_eq!((status.as_str(), attempts, code), ("dead", 1, None));
    let last_error = last_error.expect("last_error");
    assert!(last_error.contains("isv.MOBILE_NUMBER_ILLEGAL"), "{last_error}");
    assert_eq!(aliyun.accepted().len(), 1, "a refusal for good is not retried");
    assert_eq!(tencent.requests(), 0, "a refusal for good is not handed to the next provider");
    assert_eq!(provider_attempts(&app, MOBILE).await, "1 aliyun rejected");
    assert_eq!(sms_sends(&app, "aliyun", "rejected").await, 1);
}

#[tokio::test]
async fn a_number_aliyun_throttles_waits_for_aliyun_instead_of_going_to_tencent() {
    let aliyun = FakeAliyunSms::start().await;
    aliyun.answer_once(Answer::Refused("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"));
    let tencent = FakeTencentSms::start().await;
    let app = aliyun_then_tencent(&aliyun, &tencent).await;

    assert_queued(app.request_sms_code(MOBILE).await).await;

    let throttled = aliyun.next_request_to(MOBILE, WAIT).await;
    let sent = aliyun.next_request_to(MOBILE, WAIT).await;
    assert_eq!(sent.answer, Answer::Sent);
    assert_eq!(sent.code(), throttled.code());
    assert_eq!(sent.out_id(), throttled.out_id(), "the retry is recognisable by its OutId");
    assert_ne!(sent.headers["x-acs-signature-nonce"], throttled.headers["x-acs-signature-nonce"]);
    assert_eq!(settled(&app, MOBILE).await, ("sent".to_owned(), 2, None, None));
    assert_eq!(provider_attempts(&app, MOBILE).await, "1 aliyun temporary, 2 aliyun sent");
    assert_eq!(tencent.requests(), 0);
}

#[tokio::test]
async fn out_of_balance_at_tencent_first_the_code_goes_through_aliyun() {
    let aliyun = FakeAliyunSms::start().await;
    let tencent = FakeTencentSms::start().await;
    tencent.answer(test_support::fake_tencent_sms::Answer::NumberStatus(
        "FailedOperation.InsufficientBalanceInSmsPackage",
        "insufficient balance in the SMS package",
    ));
    let app = spawn_app_with(|config| {
        with_tencent(config, &tencent);
        with_aliyun(config, &aliyun);
        config.sms_provider =
            SmsProvider::in_order(&[RealSmsProvider::Tencent, RealSmsProvider::Aliyun]).expect("two providers");
        config.dev_outbox = Some(true);
    })
    .await;

    assert_queued(app.request_sms_code(MOBILE).await).await;

    let carried = aliyun.next_request_to(MOBILE, WAIT).await;
    assert_eq!(settled(&app, MOBILE).await, ("sent".to_owned(), 1, None, None));
    assert_eq!(provider_attempts(&app, MOBILE).await, "1 tencent unavailable, 1 aliyun sent");
    let response = app.post_json("/users/", &TestApp::registration("dave_1", MOBILE, &carried.code())).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}
