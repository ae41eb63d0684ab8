//! `SmtpMessageSender` against a real SMTP dialogue with the shared SMTP sink of
//! `test-support` (EHLO, AUTH PLAIN/LOGIN, STARTTLS, MAIL, RCPT, DATA, QUIT), which
//! records what it was given and can be told to refuse a recipient or a mail.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::time::{Duration, Instant};

use application::ports::{Channel, CodePurpose, DeliveryError, MessageContent, MessageSender, OutgoingMessage};
use domain::VerificationCode;
use providers::messaging::{SmtpMessageSender, SmtpSettings, SmtpTls};
use test_support::captured_logs::CapturedLogs;
use test_support::smtp_sink::{Script, SinkTls, SmtpSink, self_signed};
use tokio::net::TcpListener;

const TO: &str = "buyer@example.com";
const FROM: &str = "美多商城 <no-reply@example.com>";
const CODE: &str = "024680";

// ---------------------------------------------------------------- helpers

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: FROM.into(),
        timeout: Duration::from_secs(5),
        code_valid_minutes: 5,
    }
}

fn code_message(purpose: CodePurpose) -> OutgoingMessage {
    OutgoingMessage {
        channel: Channel::Email,
        to: TO.into(),
        content: MessageContent::Code { purpose, code: VerificationCode::parse(CODE).unwrap() },
    }
}

fn register_message() -> OutgoingMessage {
    code_message(CodePurpose::Register)
}

/// Asserts a temporary failure whose reason mentions `mentioning`.
fn assert_temporary(outcome: Result<(), DeliveryError>, mentioning: &str) {
    match outcome {
        Err(DeliveryError::Temporary(reason)) => assert!(reason.contains(mentioning), "{reason}"),
        other => panic!("expected a temporary failure, got {other:?}"),
    }
}

/// Asserts a rejection whose reason mentions `mentioning`.
fn assert_rejected(outcome: Result<(), DeliveryError>, mentioning: &str) {
    match outcome {
        Err(DeliveryError::Rejected(reason)) => assert!(reason.contains(mentioning), "{reason}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn mails_a_register_code_with_both_parts_and_authenticates() {
    let sink = SmtpSink::plain().await;
    let sender = SmtpMessageSender::new(SmtpSettings {
        username: Some("mailer@example.com".into()),
        password: Some("pa55 wörd".into()),
        ..settings(sink.port())
    })
    .unwrap();

    sender.send(&register_message()).await.unwrap();

    let delivery = sink.only_delivery();
    assert_eq!(delivery.auth, Some(("mailer@example.com".into(), "pa55 wörd".into())));
    assert_eq!(delivery.mail_from, "no-reply@example.com");
    assert_eq!(delivery.rcpt_to, [TO]);
    assert!(!delivery.encrypted);
    // Decoding also checks the shape: multipart/alternative, one text and one HTML part.
    let mail = delivery.mail();
    assert_eq!(mail.subject, "美多商城 注册验证码");
    let from = mail.header("From").unwrap();
    assert!(from.contains("美多商城") && from.contains("<no-reply@example.com>"), "{from}");
    assert_eq!(mail.header("To").unwrap(), TO);
    let message_id = mail.header("Message-ID").unwrap();
    assert!(message_id.starts_with('<') && message_id.ends_with("@example.com>"), "{message_id}");
    for body in [&mail.text, &mail.html] {
        assert!(body.contains(CODE), "{body}");
        assert!(body.contains("注册") && body.contains("5 分钟"), "{body}");
    }
    assert!(mail.html.contains("<html"), "{}", mail.html);
}

#[tokio::test]
async fn mails_a_reset_password_code_without_auth_when_no_username_is_set() {
    let sink = SmtpSink::plain().await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    sender.send(&code_message(CodePurpose::ResetPassword)).await.unwrap();

    let delivery = sink.only_delivery();
    assert_eq!(delivery.auth, None);
    let mail = delivery.mail();
    assert_eq!(mail.subject, "美多商城 找回密码验证码");
    for body in [&mail.text, &mail.html] {
        assert!(body.contains(CODE) && body.contains("找回"), "{body}");
    }
}

#[tokio::test]
async fn mails_an_email_verification_link_as_text_and_as_a_link() {
    let sink = SmtpSink::plain().await;
    let sender =
        SmtpMessageSender::new(SmtpSettings { from: "no-reply@example.com".into(), ..settings(sink.port()) }).unwrap();
    let link = "https://mall.example.com/emails/verification/?token=abc.def&lang=zh";
    let message = OutgoingMessage {
        channel: Channel::Email,
        to: TO.into(),
        content: MessageContent::EmailVerification { link: link.into() },
    };

    sender.send(&message).await.unwrap();

    let delivery = sink.only_delivery();
    assert_eq!(delivery.mail_from, "no-reply@example.com");
    let mail = delivery.mail();
    assert_eq!(mail.subject, "美多商城 邮箱验证");
    assert!(mail.text.contains(link), "{}", mail.text);
    let escaped = link.replace('&', "&amp;");
    assert!(mail.html.contains(&format!("<a href=\"{escaped}\">")), "{}", mail.html);
}

#[tokio::test]
async fn a_refused_recipient_is_rejected() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: Some("550 5.1.1 no such user"), data: None }).await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    assert_rejected(sender.send(&register_message()).await, "550");
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn a_mail_refused_for_good_after_its_content_is_rejected() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: None, data: Some("554 5.7.1 message refused") }).await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    assert_rejected(sender.send(&register_message()).await, "554");
}

#[tokio::test]
async fn a_recipient_deferred_with_451_is_temporary() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: Some("451 4.3.0 try again later"), data: None }).await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    assert_temporary(sender.send(&register_message()).await, "451");
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn a_mail_deferred_with_451_after_its_content_is_temporary() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: None, data: Some("451 4.3.0 queue full") }).await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    assert_temporary(sender.send(&register_message()).await, "451");
}

#[tokio::test]
async fn nothing_listening_is_temporary() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let sender = SmtpMessageSender::new(settings(port)).unwrap();

    assert_temporary(sender.send(&register_message()).await, "onnect");
}

#[tokio::test]
async fn a_server_that_never_answers_is_temporary_after_the_timeout() {
    // Bound but never accepting: the kernel completes the handshake, no greeting ever comes.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let timeout = Duration::from_millis(300);
    let sender =
        SmtpMessageSender::new(SmtpSettings { timeout, ..settings(silent.local_addr().unwrap().port()) }).unwrap();

    let started = Instant::now();
    // The outer bound only keeps a broken sender from hanging the test run.
    let outcome = tokio::time::timeout(Duration::from_secs(3), sender.send(&register_message())).await;
    assert_temporary(outcome.expect("the sender's own timeout should have ended the attempt"), "longer than");
    assert!(started.elapsed() >= timeout, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_non_email_message_is_rejected_without_connecting() {
    let sink = SmtpSink::plain().await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    // A valid address, so that only the channel can be the reason.
    assert_rejected(sender.send(&OutgoingMessage { channel: Channel::Sms, ..register_message() }).await, "sms");
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn an_invalid_recipient_address_is_rejected_without_connecting() {
    let sink = SmtpSink::plain().await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();

    for to in ["not-an-address", "Eve <eve@example.com>", "a@example.com\r\nBcc: eve@example.com", ""] {
        assert_rejected(sender.send(&OutgoingMessage { to: to.into(), ..register_message() }).await, "address");
    }
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn implicit_tls_with_a_trusted_certificate_delivers_encrypted() {
    let (pem, acceptor) = self_signed();
    let sink = SmtpSink::start(SinkTls::Implicit(acceptor), Script::default()).await;
    let tls_settings = SmtpSettings {
        tls: SmtpTls::Tls,
        username: Some("mailer".into()),
        password: Some("secret".into()),
        ..settings(sink.port())
    };
    let sender = SmtpMessageSender::with_root_certificate(tls_settings, pem.as_bytes()).unwrap();

    sender.send(&register_message()).await.unwrap();

    let delivery = sink.only_delivery();
    assert!(delivery.encrypted);
    assert_eq!(delivery.auth, Some(("mailer".into(), "secret".into())));
}

#[tokio::test]
async fn starttls_upgrades_before_authenticating() {
    let (pem, acceptor) = self_signed();
    let sink = SmtpSink::start(SinkTls::StartTls(acceptor), Script::default()).await;
    let tls_settings = SmtpSettings {
        tls: SmtpTls::StartTls,
        username: Some("mailer".into()),
        password: Some("secret".into()),
        ..settings(sink.port())
    };
    let sender = SmtpMessageSender::with_root_certificate(tls_settings, pem.as_bytes()).unwrap();

    sender.send(&register_message()).await.unwrap();

    let delivery = sink.only_delivery();
    assert!(delivery.encrypted);
    assert_eq!(delivery.auth, Some(("mailer".into(), "secret".into())));
}

#[tokio::test]
async fn an_untrusted_certificate_is_temporary_and_nothing_is_sent() {
    let (_, acceptor) = self_signed();
    let sink = SmtpSink::start(SinkTls::Implicit(acceptor), Script::default()).await;
    let sender = SmtpMessageSender::new(SmtpSettings { tls: SmtpTls::Tls, ..settings(sink.port()) }).unwrap();

    assert_temporary(sender.send(&register_message()).await, "certificate");
    assert_eq!(sink.connections(), 1);
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn starttls_required_but_not_offered_is_temporary_and_sends_no_credentials() {
    let sink = SmtpSink::plain().await;
    let sender = SmtpMessageSender::new(SmtpSettings {
        tls: SmtpTls::StartTls,
        username: Some("mailer".into()),
        password: Some("secret".into()),
        ..settings(sink.port())
    })
    .unwrap();

    assert_temporary(sender.send(&register_message()).await, "STARTTLS");
    assert_eq!(sink.connections(), 1);
    assert!(sink.deliveries().is_empty());
    assert_eq!(sink.auth_attempts(), 0);
}

#[tokio::test]
async fn logs_the_recipient_and_purpose_but_never_the_code_or_link() {
    let sink = SmtpSink::start(SinkTls::None, Script { rcpt: Some("550 5.1.1 no such user"), data: None }).await;
    let sender = SmtpMessageSender::new(settings(sink.port())).unwrap();
    let ok_sink = SmtpSink::plain().await;
    let ok_sender = SmtpMessageSender::new(settings(ok_sink.port())).unwrap();
    let link = "https://mall.example.com/emails/verification/?token=very-secret-token";
    let verification = OutgoingMessage {
        channel: Channel::Email,
        to: TO.into(),
        content: MessageContent::EmailVerification { link: link.into() },
    };

    let logs = {
        // A current-thread runtime: the guard covers every await below.
        let (logs, _guard) = CapturedLogs::start();
        ok_sender.send(&register_message()).await.unwrap();
        assert_rejected(sender.send(&register_message()).await, "550");
        ok_sender.send(&verification).await.unwrap();
        logs
    };

    let logs = logs.text();
    assert!(logs.contains("mail sent") && logs.contains("mail not sent"), "{logs}");
    assert!(logs.contains(TO) && logs.contains("register") && logs.contains("verify_email"), "{logs}");
    assert!(!logs.contains(CODE), "{logs}");
    assert!(!logs.contains("very-secret-token"), "{logs}");
}
