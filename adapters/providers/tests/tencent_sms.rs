//! `TencentSmsSender` against the local fake of Tencent Cloud SMS in `test-support`,
//! which verifies every signature and answers in Tencent's shapes.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::time::Duration;

use application::ports::{Channel, CodePurpose, DeliveryError, MessageContent, MessageSender, OutgoingMessage};
use domain::VerificationCode;
use providers::messaging::{TencentSmsSender, TencentSmsSettings, TencentSmsSetupError};
use salvo::http::StatusCode;
use serde_json::json;
use test_support::fake_tencent_sms::{self, Answer, FakeTencentSms};

fn settings(endpoint: &str) -> TencentSmsSettings {
    let mut settings = TencentSmsSettings::new(
        fake_tencent_sms::SECRET_ID,
        fake_tencent_sms::SECRET_KEY,
        fake_tencent_sms::SDK_APP_ID,
        fake_tencent_sms::SIGN_NAME,
        fake_tencent_sms::REGISTER_TEMPLATE,
        fake_tencent_sms::RESET_PASSWORD_TEMPLATE,
    );
    settings.endpoint = endpoint.to_owned();
    settings.timeout = Duration::from_millis(500);
    settings
}

fn sender(fake: &FakeTencentSms) -> TencentSmsSender {
    TencentSmsSender::new(settings(&fake.endpoint())).expect("valid settings")
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

/// The provider could not carry the message now: retried later, or the next provider tried.
fn unavailable(result: Result<(), DeliveryError>) -> String {
    match result {
        Err(DeliveryError::Unavailable(text)) => text,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn sends_a_registration_code_with_the_registration_template() {
    let fake = FakeTencentSms::start().await;

    sender(&fake).send(&register_code()).await.expect("sent");

    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        accepted[0].body,
        json!({
            "PhoneNumberSet": ["+8613800138000"],
            "SmsSdkAppId": fake_tencent_sms::SDK_APP_ID,
            "SignName": fake_tencent_sms::SIGN_NAME,
            "TemplateId": fake_tencent_sms::REGISTER_TEMPLATE,
            "TemplateParamSet": ["123456", "5"],
        })
    );
    let headers = &accepted[0].headers;
    assert_eq!(headers["x-tc-action"], "SendSms");
    assert_eq!(headers["x-tc-version"], "2021-01-11");
    assert_eq!(headers["x-tc-region"], "ap-guangzhou");
    assert_eq!(headers["host"], fake.endpoint().trim_start_matches("http://"));
    let authorization = headers["authorization"].to_str().expect("ASCII");
    assert!(
        authorization.contains("/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, "),
        "{authorization}"
    );
}

#[tokio::test]
async fn sends_a_password_reset_code_with_the_reset_template() {
    let fake = FakeTencentSms::start().await;

    sender(&fake).send(&code_message(CodePurpose::ResetPassword, "654321")).await.expect("sent");

    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].body["TemplateId"], fake_tencent_sms::RESET_PASSWORD_TEMPLATE);
    assert_eq!(accepted[0].body["TemplateParamSet"], json!(["654321", "5"]));
    assert_eq!(accepted[0].body["PhoneNumberSet"], json!(["+8613800138000"]));
}

#[tokio::test]
async fn a_recipient_written_with_the_country_code_is_sent_once_prefixed() {
    let fake = FakeTencentSms::start().await;
    let mut message = register_code();
    message.to = "+86 138-0013-8000".into();

    sender(&fake).send(&message).await.expect("sent");

    assert_eq!(fake.accepted()[0].body["PhoneNumberSet"], json!(["+8613800138000"]));
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_as_tencent_refuses_a_bad_signature() {
    let fake = FakeTencentSms::start().await;
    let mut wrong = settings(&fake.endpoint());
    wrong.secret_key = "not-the-key-tencent-has-on-file".into();
    let sender = TencentSmsSender::new(wrong).expect("valid settings");

    let text = rejected(sender.send(&register_code()).await);

    assert!(text.contains("AuthFailure.SignatureFailure"), "{text}");
    assert!(text.contains("could not be validated"), "{text}");
    assert_eq!(fake.requests(), 1);
    assert!(fake.accepted().is_empty());
}

#[tokio::test]
async fn an_unknown_secret_id_is_refused() {
    let fake = FakeTencentSms::start().await;
    let mut wrong = settings(&fake.endpoint());
    wrong.secret_id = "AKIDsomebodyelse".into();

    let text = rejected(TencentSmsSender::new(wrong).expect("valid settings").send(&register_code()).await);

    assert!(text.contains("AuthFailure.SecretIdNotFound"), "{text}");
}

#[tokio::test]
async fn a_template_tencent_does_not_know_is_refused() {
    let fake = FakeTencentSms::start().await;
    let mut wrong = settings(&fake.endpoint());
    wrong.register_template_id = "999".into();

    let text = rejected(TencentSmsSender::new(wrong).expect("valid settings").send(&register_code()).await);

    assert!(text.contains("FailedOperation.TemplateIncorrectOrUnapproved"), "{text}");
}

#[tokio::test]
async fn per_number_refusals_are_rejected_with_the_provider_code_and_message() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    for (code, message) in [
        (
            "LimitExceeded.PhoneNumberDailyLimit",
            "the number of SMS messages sent from a single mobile number every day exceeds the upper limit",
        ),
        ("InvalidParameterValue.IncorrectPhoneNumber", "incorrect mobile number format"),
        ("FailedOperation.ContainSensitiveWord", "the SMS content contains sensitive words"),
        ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed"),
    ] {
        fake.answer(Answer::NumberStatus(code, message));
        let text = rejected(sender.send(&register_code()).await);
        assert!(text.contains(code) && text.contains(message), "{code}: {text}");
        assert!(text.contains("RequestId a0aabda6-cf91-4f3e-a81f-9198114a2279"), "{text}");
    }
}

#[tokio::test]
async fn per_number_rate_limits_are_temporary() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    for (code, message) in [
        (
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "the number of SMS messages sent from a single mobile number within 30 seconds exceeds the upper limit",
        ),
        (
            "LimitExceeded.PhoneNumberOneHourLimit",
            "the number of SMS messages sent from a single mobile number within 1 hour exceeds the upper limit",
        ),
        ("LimitExceeded.DeliveryFrequencyLimit", "the delivery hit the frequency limit policy"),
    ] {
        fake.answer(Answer::NumberStatus(code, message));
        let text = temporary(sender.send(&register_code()).await);
        assert!(text.contains(code) && text.contains(message), "{code}: {text}");
    }
}

#[tokio::test]
async fn no_balance_or_an_exhausted_daily_quota_make_the_provider_unavailable() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    for (code, message) in [
        ("FailedOperation.InsufficientBalanceInSmsPackage", "insufficient balance in the SMS package"),
        ("LimitExceeded.AppDailyLimit", "the daily limit of the SMS application is exceeded"),
    ] {
        fake.answer(Answer::NumberStatus(code, message));
        let text = unavailable(sender.send(&register_code()).await);
        assert!(text.contains(code), "{code}: {text}");
    }
}

#[tokio::test]
async fn request_level_errors_of_the_provider_make_it_unavailable() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    for code in ["InternalError", "InternalError.Timeout", "RequestLimitExceeded", "ResourceUnavailable"] {
        fake.answer(Answer::RequestError(code, "please try again later"));
        let text = unavailable(sender.send(&register_code()).await);
        assert!(text.contains(code) && text.contains("RequestId ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"), "{text}");
    }
}

#[tokio::test]
async fn request_level_errors_of_the_request_are_rejected() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    for code in [
        "AuthFailure.SignatureExpire",
        "InvalidParameter",
        "InvalidParameterValue",
        "MissingParameter",
        "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
    ] {
        fake.answer(Answer::RequestError(code, "the request cannot succeed"));
        let text = rejected(sender.send(&register_code()).await);
        assert!(text.contains(code), "{text}");
    }
}

#[tokio::test]
async fn http_server_errors_make_the_provider_unavailable() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    for status in [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::BAD_GATEWAY, StatusCode::SERVICE_UNAVAILABLE] {
        fake.answer(Answer::HttpStatus(status));
        let text = unavailable(sender.send(&register_code()).await);
        assert!(text.contains(status.as_str()), "{text}");
    }
}

/// A followed 307 would send the signed request, code included, again to wherever it points.
#[tokio::test]
async fn a_redirect_is_not_followed_and_makes_the_provider_unavailable() {
    let fake = FakeTencentSms::start().await;
    fake.answer(Answer::Redirect);

    let text = unavailable(sender(&fake).send(&register_code()).await);

    assert!(text.contains("307"), "{text}");
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn an_answer_that_is_not_tencents_json_makes_the_provider_unavailable() {
    let fake = FakeTencentSms::start().await;
    fake.answer(Answer::Garbage);

    let text = unavailable(sender(&fake).send(&register_code()).await);

    assert!(text.contains("unreadable answer"), "{text}");
}

#[tokio::test]
async fn an_unreachable_endpoint_makes_the_provider_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let sender = TencentSmsSender::new(settings(&format!("http://127.0.0.1:{port}"))).expect("valid settings");

    let text = unavailable(sender.send(&register_code()).await);

    assert!(text.contains("cannot connect"), "{text}");
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_makes_the_provider_unavailable() {
    let fake = FakeTencentSms::start().await;
    fake.answer(Answer::Slow(Duration::from_secs(5)));
    let started = std::time::Instant::now();

    let text = unavailable(sender(&fake).send(&register_code()).await);

    assert!(text.contains("timed out"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(3), "gave up after {:?}", started.elapsed());
}

#[tokio::test]
async fn email_messages_are_rejected_without_a_request() {
    let fake = FakeTencentSms::start().await;
    let sender = sender(&fake);
    let mut by_email = register_code();
    by_email.channel = Channel::Email;
    by_email.to = "someone@example.com".into();
    let link = OutgoingMessage {
        channel: Channel::Sms,
        to: "13800138000".into(),
        content: MessageContent::EmailVerification { link: "https://example.com/verify?token=x".into() },
    };

    rejected(sender.send(&by_email).await);
    rejected(sender.send(&link).await);

    assert_eq!(fake.requests(), 0);
}

#[tokio::test]
async fn a_recipient_that_is_not_a_mainland_mobile_is_rejected_without_a_request() {
    let fake = FakeTencentSms::start().await;
    let mut message = register_code();
    message.to = "12345".into();

    rejected(sender(&fake).send(&message).await);

    assert_eq!(fake.requests(), 0);
}

#[test]
fn settings_are_checked_when_the_sender_is_built() {
    let mut missing = settings("https://sms.tencentcloudapi.com");
    missing.secret_key = " ".into();
    assert_eq!(TencentSmsSender::new(missing).err(), Some(TencentSmsSetupError::Missing("secret_key")));

    for endpoint in ["sms.tencentcloudapi.com", "ftp://sms.tencentcloudapi.com", "not a url"] {
        let bad = settings(endpoint);
        assert_eq!(TencentSmsSender::new(bad).err(), Some(TencentSmsSetupError::Endpoint(endpoint.into())));
    }
}

#[test]
fn the_secret_key_never_shows_in_debug_output() {
    let settings = settings("https://sms.tencentcloudapi.com");
    assert!(!format!("{settings:?}").contains(fake_tencent_sms::SECRET_KEY));
    let sender = TencentSmsSender::new(settings).expect("valid settings");
    assert!(!format!("{sender:?}").contains(fake_tencent_sms::SECRET_KEY));
}
