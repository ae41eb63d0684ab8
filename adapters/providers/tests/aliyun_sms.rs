//! `AliyunSmsSender` against the local fake of dysmsapi in `test-support`, which verifies every
//! ACS3-HMAC-SHA256 signature, date and nonce and answers in Alibaba's shapes.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::collections::HashSet;
use std::time::Duration;

use application::ports::{
    Channel, ClaimedMessage, CodePurpose, DeliveryError, MessageContent, MessageSender, OutgoingMessage,
};
use domain::VerificationCode;
use providers::messaging::{AliyunSmsSender, AliyunSmsSettings, AliyunSmsSetupError};
use salvo::http::StatusCode;
use test_support::fake_aliyun_sms::{self, Answer, FakeAliyunSms};

fn settings(endpoint: &str) -> AliyunSmsSettings {
    let mut settings = AliyunSmsSettings::new(
        fake_aliyun_sms::ACCESS_KEY_ID,
        fake_aliyun_sms::ACCESS_KEY_SECRET,
        fake_aliyun_sms::SIGN_NAME,
        fake_aliyun_sms::REGISTER_TEMPLATE,
        fake_aliyun_sms::RESET_PASSWORD_TEMPLATE,
    );
    settings.endpoint = endpoint.to_owned();
    settings.timeout = Duration::from_millis(500);
    settings
}

fn sender(fake: &FakeAliyunSms) -> AliyunSmsSender {
    AliyunSmsSender::new(settings(&fake.endpoint())).expect("valid settings")
}

fn code_message(purpose: CodePurpose, code: &str) -> OutgoingMessage {
    OutgoingMessage {
        channel: Channel::Sms,
        to: "13800138000".into(),
        content: MessageContent::Code { purpose, code: VerificationCode::parse(code).expect("a 6-digit code") },
    }
}

fn register_code() -> OutgoingMessage {
    code_message(CodePurpose::Register, "123456")
}

fn rejected(result: Result<(), DeliveryError>) -> String {
    match result {
        Err(DeliveryError::Rejected(text)) => text,
        other => panic!("expected Rejected, got {other:?}"),
    }
}

fn temporary(result: Result<(), DeliveryError>) -> String {
    match result {
        Err(DeliveryError::Temporary(text)) => text,
        other => panic!("expected Temporary, got {other:?}"),
    }
}

fn unavailable(result: Result<(), DeliveryError>) -> String {
    match result {
        Err(DeliveryError::Unavailable(text)) => text,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn sends_a_signed_registration_code_with_the_registration_template() {
    let fake = FakeAliyunSms::start().await;

    sender(&fake).send(&register_code()).await.expect("sent");

    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1);
    let sent = &accepted[0];
    assert_eq!(sent.phone_number(), "13800138000");
    assert_eq!(sent.sign_name(), fake_aliyun_sms::SIGN_NAME);
    assert_eq!(sent.template_code(), fake_aliyun_sms::REGISTER_TEMPLATE);
    assert_eq!(sent.query["TemplateParam"], r#"{"code":"123456"}"#);
    assert_eq!(sent.code(), "123456");
    assert_eq!(sent.out_id(), "", "no outbox id outside the outbox");
    assert_eq!(sent.headers["x-acs-action"], "SendSms");
    assert_eq!(sent.headers["x-acs-version"], "2017-05-25");
    assert_eq!(sent.headers["host"], fake.endpoint().trim_start_matches("http://"));
    let authorization = sent.headers["authorization"].to_str().expect("ASCII");
    assert!(
        authorization.starts_with(&format!(
            "ACS3-HMAC-SHA256 Credential={},SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;\
             x-acs-signature-nonce;x-acs-version,Signature=",
            fake_aliyun_sms::ACCESS_KEY_ID
        )),
        "{authorization}"
    );
}

#[tokio::test]
async fn a_queued_message_carries_its_outbox_id_as_out_id_and_each_try_a_fresh_nonce() {
    let fake = FakeAliyunSms::start().await;
    let queued = ClaimedMessage { id: 4711, message: register_code(), attempt: 1 };
    let sender = sender(&fake);

    sender.send_queued(&queued).await.expect("sent");
    sender.send_queued(&ClaimedMessage { attempt: 2, ..queued }).await.expect("sent again");

    let accepted = fake.accepted();
    assert_eq!(accepted.iter().map(fake_aliyun_sms::Accepted::out_id).collect::<Vec<_>>(), ["4711", "4711"]);
    let nonces: HashSet<_> = accepted.iter().map(|a| a.headers["x-acs-signature-nonce"].clone()).collect();
    assert_eq!(nonces.len(), 2);
}

#[tokio::test]
async fn sends_a_password_reset_code_with_the_reset_template() {
    let fake = FakeAliyunSms::start().await;
    let mut message = code_message(CodePurpose::ResetPassword, "654321");
    message.to = "+86 139-0013-9000".into();

    sender(&fake).send(&message).await.expect("sent");

    let sent = &fake.accepted()[0];
    assert_eq!(sent.template_code(), fake_aliyun_sms::RESET_PASSWORD_TEMPLATE);
    assert_eq!(sent.code(), "654321");
    assert_eq!(sent.phone_number(), "13900139000");
}

#[tokio::test]
async fn a_wrong_secret_is_refused_as_alibaba_refuses_a_bad_signature() {
    let fake = FakeAliyunSms::start().await;
    let mut wrong = settings(&fake.endpoint());
    wrong.access_key_secret = "not-the-secret-alibaba-has".into();

    let text = rejected(AliyunSmsSender::new(wrong).expect("valid settings").send(&register_code()).await);

    assert!(text.contains("SignatureDoesNotMatch"), "{text}");
    assert_eq!(fake.requests(), 1);
    assert!(fake.accepted().is_empty());
}

#[tokio::test]
async fn an_unknown_access_key_is_refused() {
    let fake = FakeAliyunSms::start().await;
    let mut wrong = settings(&fake.endpoint());
    wrong.access_key_id = "LTAIsomebodyelse".into();

    let text = rejected(AliyunSmsSender::new(wrong).expect("valid settings").send(&register_code()).await);

    assert!(text.contains("InvalidAccessKeyId.NotFound"), "{text}");
}

/// A request sent by the adapter, replayed by hand with `changed` headers replaced.
async fn replayed(fake: &FakeAliyunSms, changed: &[(&str, String)]) -> serde_json::Value {
    let first = fake.accepted().remove(0);
    let query: Vec<(String, String)> = first.query.clone().into_iter().collect();
    let mut replay = reqwest::Client::new().post(format!("{}/", fake.endpoint())).query(&query);
    for name in [
        "authorization",
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        match changed.iter().find(|(changed, _)| *changed == name) {
            Some((_, value)) => replay = replay.header(name, value),
            None => replay = replay.header(name, first.headers[name].clone()),
        }
    }
    replay.send().await.expect("an answer").json().await.expect("JSON")
}

/// The fake checks what Alibaba documents: a nonce is used once, the date is within 15 minutes,
/// and the nonce and date are signed.
#[tokio::test]
async fn the_fake_refuses_a_replay_an_old_date_and_an_unsigned_nonce() {
    let fake = FakeAliyunSms::start().await;
    sender(&fake).send(&register_code()).await.expect("sent");

    assert_eq!(replayed(&fake, &[]).await["Code"], "SignatureNonceUsed");
    let old = (chrono::Utc::now() - chrono::TimeDelta::minutes(20)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert_eq!(replayed(&fake, &[("x-acs-date", old)]).await["Code"], "InvalidTimeStamp.Expired");
    let other_nonce = ("x-acs-signature-nonce", "0123456789abcdef0123456789abcdef".to_owned());
    assert_eq!(replayed(&fake, &[other_nonce]).await["Code"], "SignatureDoesNotMatch");
    assert_eq!(fake.accepted().len(), 1);
}

#[tokio::test]
async fn templates_and_signatures_alibaba_does_not_know_are_rejected() {
    let fake = FakeAliyunSms::start().await;
    let mut template = settings(&fake.endpoint());
    template.register_template_code = "SMS_999".into();
    let text = rejected(AliyunSmsSender::new(template).expect("valid settings").send(&register_code()).await);
    assert!(text.contains("isv.SMS_TEMPLATE_ILLEGAL"), "{text}");

    let mut sign = settings(&fake.endpoint());
    sign.sign_name = "别家商城".into();
    let text = rejected(AliyunSmsSender::new(sign).expect("valid settings").send(&register_code()).await);
    assert!(text.contains("isv.SMS_SIGNATURE_ILLEGAL"), "{text}");
}

#[tokio::test]
async fn a_refused_number_is_rejected_with_the_provider_code_and_request_id() {
    let fake = FakeAliyunSms::start().await;
    fake.answer(Answer::Refused("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"));

    let text = rejected(sender(&fake).send(&register_code()).await);

    assert!(text.contains("isv.MOBILE_NUMBER_ILLEGAL") && text.contains("非法手机号"), "{text}");
    assert!(text.contains("RequestId 8906582E-6722-409A-A6C4-0E7863B733A5"), "{text}");
}

#[tokio::test]
async fn per_number_flow_control_is_temporary() {
    let fake = FakeAliyunSms::start().await;
    fake.answer(Answer::Refused("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"));

    let text = temporary(sender(&fake).send(&register_code()).await);

    assert!(text.contains("isv.BUSINESS_LIMIT_CONTROL"), "{text}");
}

#[tokio::test]
async fn account_limits_and_no_balance_make_the_provider_unavailable() {
    let fake = FakeAliyunSms::start().await;
    let sender = sender(&fake);
    for (code, message) in [
        ("isv.OUT_OF_SERVICE", "业务停机"),
        ("isv.AMOUNT_NOT_ENOUGH", "账户余额不足"),
        ("isv.DAY_LIMIT_CONTROL", "触发日发送限额"),
        ("isv.MONTH_LIMIT_CONTROL", "触发月发送限额"),
        ("isp.SYSTEM_ERROR", "系统错误"),
    ] {
        fake.answer(Answer::Refused(code, message));
        let text = unavailable(sender.send(&register_code()).await);
        assert!(text.contains(code), "{code}: {text}");
    }
}

#[tokio::test]
async fn server_errors_garbage_and_timeouts_make_the_provider_unavailable() {
    let fake = FakeAliyunSms::start().await;
    let sender = sender(&fake);
    for status in [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::BAD_GATEWAY, StatusCode::SERVICE_UNAVAILABLE] {
        fake.answer(Answer::HttpStatus(status));
        let text = unavailable(sender.send(&register_code()).await);
        assert!(text.contains(status.as_str()), "{text}");
    }
    fake.answer(Answer::Garbage);
    assert!(unavailable(sender.send(&register_code()).await).contains("unreadable answer"));

    fake.answer(Answer::Slow(Duration::from_secs(5)));
    let started = std::time::Instant::now();
    assert!(unavailable(sender.send(&register_code()).await).contains("timed out"));
    assert!(started.elapsed() < Duration::from_secs(3), "gave up after {:?}", started.elapsed());
}

#[tokio::test]
async fn email_and_non_mainland_recipients_are_rejected_without_a_request() {
    let fake = FakeAliyunSms::start().await;
    let sender = sender(&fake);
    let mut by_email = register_code();
    by_email.channel = Channel::Email;
    let mut foreign = register_code();
    foreign.to = "12345".into();

    rejected(sender.send(&by_email).await);
    rejected(sender.send(&foreign).await);

    assert_eq!(fake.requests(), 0);
}

#[test]
fn settings_are_checked_when_the_sender_is_built_and_the_secret_never_shows() {
    let mut missing = settings("https://dysmsapi.aliyuncs.com");
    missing.access_key_secret = " ".into();
    assert_eq!(AliyunSmsSender::new(missing).err(), Some(AliyunSmsSetupError::Missing("access_key_secret")));
    for endpoint in ["dysmsapi.aliyuncs.com", "ftp://dysmsapi.aliyuncs.com"] {
        assert_eq!(
            AliyunSmsSender::new(settings(endpoint)).err(),
            Some(AliyunSmsSetupError::Endpoint(endpoint.into()))
        );
    }
    let sender = AliyunSmsSender::new(settings("https://dysmsapi.aliyuncs.com")).expect("valid settings");
    assert!(!format!("{sender:?}").contains(fake_aliyun_sms::ACCESS_KEY_SECRET));
}
