//! `SmtpMessageSender` against a real SMTP dialogue: a small sink on loopback that
//! speaks enough ESMTP (EHLO, AUTH PLAIN/LOGIN, STARTTLS, MAIL, RCPT, DATA, QUIT),
//! records what it was given and can be told to refuse a recipient or a mail.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use adapters::messaging::{SmtpMessageSender, SmtpSettings, SmtpTls};
use application::ports::{Channel, CodePurpose, DeliveryError, MessageContent, MessageSender, OutgoingMessage};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use domain::VerificationCode;
use mailparse::{MailHeaderMap, ParsedMail};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

const TO: &str = "buyer@example.com";
const FROM: &str = "美多商城 <no-reply@example.com>";
const CODE: &str = "024680";

// ---------------------------------------------------------------- the sink

/// One mail the sink took, with what was said before it on its connection.
#[derive(Debug, Clone)]
struct Delivery {
    auth: Option<(String, String)>,
    encrypted: bool,
    mail_from: String,
    rcpt_to: Vec<String>,
    data: Vec<u8>,
}

/// How the sink protects its connections.
#[derive(Clone)]
enum SinkTls {
    None,
    /// Offers STARTTLS and upgrades when asked.
    StartTls(TlsAcceptor),
    /// TLS from the first byte.
    Implicit(TlsAcceptor),
}

/// Replies the sink gives instead of accepting.
#[derive(Clone, Default)]
struct Script {
    rcpt: Option<&'static str>,
    /// Sent after the mail's content instead of 250.
    data: Option<&'static str>,
}

#[derive(Default)]
struct Record {
    connections: usize,
    auth_attempts: usize,
    deliveries: Vec<Delivery>,
}

struct Sink {
    addr: SocketAddr,
    record: Arc<Mutex<Record>>,
}

impl Sink {
    async fn start(tls: SinkTls, script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let record = Arc::new(Mutex::new(Record::default()));
        let shared = Arc::clone(&record);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                shared.lock().unwrap().connections += 1;
                let (tls, script, record) = (tls.clone(), script.clone(), Arc::clone(&shared));
                // A session that fails (the client hung up, a refused handshake) just ends.
                tokio::spawn(async move { drop(serve(tcp, tls, script, record).await) });
            }
        });
        Self { addr, record }
    }

    async fn plain() -> Self {
        Self::start(SinkTls::None, Script::default()).await
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.record.lock().unwrap().deliveries.clone()
    }

    fn connections(&self) -> usize {
        self.record.lock().unwrap().connections
    }

    fn auth_attempts(&self) -> usize {
        self.record.lock().unwrap().auth_attempts
    }

    fn only_delivery(&self) -> Delivery {
        let deliveries = self.deliveries();
        assert_eq!(deliveries.len(), 1, "{deliveries:#?}");
        deliveries.into_iter().next().unwrap()
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

async fn serve(tcp: TcpStream, tls: SinkTls, script: Script, record: Arc<Mutex<Record>>) -> io::Result<()> {
    let (mut conn, mut encrypted): (BufReader<Box<dyn Stream>>, bool) = match &tls {
        SinkTls::Implicit(acceptor) => (BufReader::new(Box::new(acceptor.accept(tcp).await?)), true),
        _ => (BufReader::new(Box::new(tcp)), false),
    };
    conn.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut auth = None;
    let mut mail_from = None;
    let mut rcpt_to = Vec::new();
    loop {
        let line = read_line(&mut conn).await?;
        let upper = line.to_ascii_uppercase();
        // Like a real submission server, a STARTTLS sink takes credentials only once encrypted.
        let must_upgrade = matches!(tls, SinkTls::StartTls(_)) && !encrypted;
        if upper.starts_with("AUTH") {
            record.lock().unwrap().auth_attempts += 1;
        }
        if upper.starts_with("EHLO") {
            let offer = if must_upgrade { "250-STARTTLS\r\n" } else { "250-AUTH PLAIN LOGIN\r\n" };
            let reply = format!("250-sink.test\r\n{offer}250-8BITMIME\r\n250 SMTPUTF8\r\n");
            conn.write_all(reply.as_bytes()).await?;
        } else if upper.starts_with("AUTH") && must_upgrade {
            conn.write_all(b"530 5.7.0 issue STARTTLS first\r\n").await?;
        } else if upper == "STARTTLS" {
            let SinkTls::StartTls(acceptor) = &tls else {
                conn.write_all(b"502 5.5.1 not offered\r\n").await?;
                continue;
            };
            conn.write_all(b"220 2.0.0 go ahead\r\n").await?;
            let plain = conn.into_inner();
            conn = BufReader::new(Box::new(acceptor.accept(plain).await?));
            encrypted = true;
        } else if let Some(rest) = upper.strip_prefix("AUTH PLAIN") {
            let encoded = match rest.trim() {
                "" => {
                    conn.write_all(b"334 \r\n").await?;
                    read_line(&mut conn).await?
                }
                _ => line["AUTH PLAIN".len()..].trim().to_owned(),
            };
            let decoded = String::from_utf8(BASE64.decode(encoded).unwrap()).unwrap();
            let mut parts = decoded.split('\0').skip(1);
            auth = Some((parts.next().unwrap_or_default().to_owned(), parts.next().unwrap_or_default().to_owned()));
            conn.write_all(b"235 2.7.0 accepted\r\n").await?;
        } else if upper.starts_with("AUTH LOGIN") {
            conn.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let user = decode_base64(&read_line(&mut conn).await?);
            conn.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            let password = decode_base64(&read_line(&mut conn).await?);
            auth = Some((user, password));
            conn.write_all(b"235 2.7.0 accepted\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = Some(angle_address(&line));
            conn.write_all(b"250 2.1.0 ok\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            match script.rcpt {
                Some(reply) => conn.write_all(format!("{reply}\r\n").as_bytes()).await?,
                None => {
                    rcpt_to.push(angle_address(&line));
                    conn.write_all(b"250 2.1.5 ok\r\n").await?;
                }
            }
        } else if upper == "DATA" {
            conn.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let data = read_data(&mut conn).await?;
            match script.data {
                Some(reply) => conn.write_all(format!("{reply}\r\n").as_bytes()).await?,
                None => {
                    record.lock().unwrap().deliveries.push(Delivery {
                        auth: auth.clone(),
                        encrypted,
                        mail_from: mail_from.take().unwrap_or_default(),
                        rcpt_to: std::mem::take(&mut rcpt_to),
                        data,
                    });
                    conn.write_all(b"250 2.0.0 queued\r\n").await?;
                }
            }
        } else if upper == "RSET" || upper == "NOOP" {
            conn.write_all(b"250 2.0.0 ok\r\n").await?;
        } else if upper == "QUIT" {
            conn.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            conn.write_all(b"502 5.5.2 unknown command\r\n").await?;
        }
    }
}

async fn read_line(conn: &mut BufReader<Box<dyn Stream>>) -> io::Result<String> {
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The content after DATA up to the lone dot, dot-unstuffed, lines ending in CRLF.
async fn read_data(conn: &mut BufReader<Box<dyn Stream>>) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        if conn.read_until(b'\n', &mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" {
            return Ok(data);
        }
        let unstuffed = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        data.extend_from_slice(unstuffed);
    }
}

fn angle_address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.find('>').unwrap_or(line.len());
    line[start..end].to_owned()
}

fn decode_base64(encoded: &str) -> String {
    String::from_utf8(BASE64.decode(encoded.trim()).unwrap()).unwrap()
}

/// A certificate for 127.0.0.1 signed by itself: its PEM (to trust) and the sink's acceptor.
fn self_signed() -> (String, TlsAcceptor) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    (certified.cert.pem(), TlsAcceptor::from(Arc::new(config)))
}

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

/// The decoded text/plain and text/html bodies of a multipart/alternative mail.
fn alternative_bodies(mail: &ParsedMail<'_>) -> (String, String) {
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let part = |mimetype: &str| {
        let found = mail.subparts.iter().filter(|p| p.ctype.mimetype == mimetype).collect::<Vec<_>>();
        assert_eq!(found.len(), 1, "one {mimetype} part");
        found[0].get_body().unwrap()
    };
    (part("text/plain"), part("text/html"))
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
    let sink = Sink::plain().await;
    let sender = SmtpMessageSender::new(SmtpSettings {
        username: Some("mailer@example.com".into()),
        password: Some("pa55 wörd".into()),
        ..settings(sink.addr.port())
    })
    .unwrap();

    sender.send(&register_message()).await.unwrap();

    let delivery = sink.only_delivery();
    assert_eq!(delivery.auth, Some(("mailer@example.com".into(), "pa55 wörd".into())));
    assert_eq!(delivery.mail_from, "no-reply@example.com");
    assert_eq!(delivery.rcpt_to, [TO]);
    assert!(!delivery.encrypted);
    let mail = mailparse::parse_mail(&delivery.data).unwrap();
    assert_eq!(mail.headers.get_first_value("Subject").unwrap(), "美多商城 注册验证码");
    let from = mail.headers.get_first_value("From").unwrap();
    assert!(from.contains("美多商城") && from.contains("<no-reply@example.com>"), "{from}");
    assert_eq!(mail.headers.get_first_value("To").unwrap(), TO);
    let message_id = mail.headers.get_first_value("Message-ID").unwrap();
    assert!(message_id.starts_with('<') && message_id.ends_with("@example.com>"), "{message_id}");
    let (text, html) = alternative_bodies(&mail);
    for body in [&text, &html] {
        assert!(body.contains(CODE), "{body}");
        assert!(body.contains("注册") && body.contains("5 分钟"), "{body}");
    }
    assert!(html.contains("<html"), "{html}");
}

#[tokio::test]
async fn mails_a_reset_password_code_without_auth_when_no_username_is_set() {
    let sink = Sink::plain().await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

    sender.send(&code_message(CodePurpose::ResetPassword)).await.unwrap();

    let delivery = sink.only_delivery();
    assert_eq!(delivery.auth, None);
    let mail = mailparse::parse_mail(&delivery.data).unwrap();
    assert_eq!(mail.headers.get_first_value("Subject").unwrap(), "美多商城 找回密码验证码");
    let (text, html) = alternative_bodies(&mail);
    for body in [&text, &html] {
        assert!(body.contains(CODE) && body.contains("找回"), "{body}");
    }
}

#[tokio::test]
async fn mails_an_email_verification_link_as_text_and_as_a_link() {
    let sink = Sink::plain().await;
    let sender =
        SmtpMessageSender::new(SmtpSettings { from: "no-reply@example.com".into(), ..settings(sink.addr.port()) })
            .unwrap();
    let link = "https://mall.example.com/emails/verification/?token=abc.def&lang=zh";
    let message = OutgoingMessage {
        channel: Channel::Email,
        to: TO.into(),
        content: MessageContent::EmailVerification { link: link.into() },
    };

    sender.send(&message).await.unwrap();

    let delivery = sink.only_delivery();
    assert_eq!(delivery.mail_from, "no-reply@example.com");
    let mail = mailparse::parse_mail(&delivery.data).unwrap();
    assert_eq!(mail.headers.get_first_value("Subject").unwrap(), "美多商城 邮箱验证");
    let (text, html) = alternative_bodies(&mail);
    assert!(text.contains(link), "{text}");
    let escaped = link.replace('&', "&amp;");
    assert!(html.contains(&format!("<a href=\"{escaped}\">")), "{html}");
}

#[tokio::test]
async fn a_refused_recipient_is_rejected() {
    let sink = Sink::start(SinkTls::None, Script { rcpt: Some("550 5.1.1 no such user"), data: None }).await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

    assert_rejected(sender.send(&register_message()).await, "550");
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn a_mail_refused_for_good_after_its_content_is_rejected() {
    let sink = Sink::start(SinkTls::None, Script { rcpt: None, data: Some("554 5.7.1 message refused") }).await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

    assert_rejected(sender.send(&register_message()).await, "554");
}

#[tokio::test]
async fn a_recipient_deferred_with_451_is_temporary() {
    let sink = Sink::start(SinkTls::None, Script { rcpt: Some("451 4.3.0 try again later"), data: None }).await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

    assert_temporary(sender.send(&register_message()).await, "451");
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn a_mail_deferred_with_451_after_its_content_is_temporary() {
    let sink = Sink::start(SinkTls::None, Script { rcpt: None, data: Some("451 4.3.0 queue full") }).await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

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
    let sink = Sink::plain().await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

    // A valid address, so that only the channel can be the reason.
    assert_rejected(sender.send(&OutgoingMessage { channel: Channel::Sms, ..register_message() }).await, "sms");
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn an_invalid_recipient_address_is_rejected_without_connecting() {
    let sink = Sink::plain().await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();

    for to in ["not-an-address", "Eve <eve@example.com>", "a@example.com\r\nBcc: eve@example.com", ""] {
        assert_rejected(sender.send(&OutgoingMessage { to: to.into(), ..register_message() }).await, "address");
    }
    assert_eq!(sink.connections(), 0);
}

#[tokio::test]
async fn implicit_tls_with_a_trusted_certificate_delivers_encrypted() {
    let (pem, acceptor) = self_signed();
    let sink = Sink::start(SinkTls::Implicit(acceptor), Script::default()).await;
    let tls_settings = SmtpSettings {
        tls: SmtpTls::Tls,
        username: Some("mailer".into()),
        password: Some("secret".into()),
        ..settings(sink.addr.port())
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
    let sink = Sink::start(SinkTls::StartTls(acceptor), Script::default()).await;
    let tls_settings = SmtpSettings {
        tls: SmtpTls::StartTls,
        username: Some("mailer".into()),
        password: Some("secret".into()),
        ..settings(sink.addr.port())
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
    let sink = Sink::start(SinkTls::Implicit(acceptor), Script::default()).await;
    let sender = SmtpMessageSender::new(SmtpSettings { tls: SmtpTls::Tls, ..settings(sink.addr.port()) }).unwrap();

    assert_temporary(sender.send(&register_message()).await, "certificate");
    assert_eq!(sink.connections(), 1);
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn starttls_required_but_not_offered_is_temporary_and_sends_no_credentials() {
    let sink = Sink::plain().await;
    let sender = SmtpMessageSender::new(SmtpSettings {
        tls: SmtpTls::StartTls,
        username: Some("mailer".into()),
        password: Some("secret".into()),
        ..settings(sink.addr.port())
    })
    .unwrap();

    assert_temporary(sender.send(&register_message()).await, "STARTTLS");
    assert_eq!(sink.connections(), 1);
    assert!(sink.deliveries().is_empty());
    assert_eq!(sink.auth_attempts(), 0);
}

#[tokio::test]
async fn logs_the_recipient_and_purpose_but_never_the_code_or_link() {
    let sink = Sink::start(SinkTls::None, Script { rcpt: Some("550 5.1.1 no such user"), data: None }).await;
    let sender = SmtpMessageSender::new(settings(sink.addr.port())).unwrap();
    let ok_sink = Sink::plain().await;
    let ok_sender = SmtpMessageSender::new(settings(ok_sink.addr.port())).unwrap();
    let link = "https://mall.example.com/emails/verification/?token=very-secret-token";
    let verification = OutgoingMessage {
        channel: Channel::Email,
        to: TO.into(),
        content: MessageContent::EmailVerification { link: link.into() },
    };

    let logs = CapturedLogs::default();
    {
        // A current-thread runtime: the guard covers every await below.
        let _guard = tracing::subscriber::set_default(
            tracing_subscriber::fmt().with_ansi(false).with_writer(logs.clone()).finish(),
        );
        ok_sender.send(&register_message()).await.unwrap();
        assert_rejected(sender.send(&register_message()).await, "550");
        ok_sender.send(&verification).await.unwrap();
    }

    let logs = logs.text();
    assert!(logs.contains("mail sent") && logs.contains("mail not sent"), "{logs}");
    assert!(logs.contains(TO) && logs.contains("register") && logs.contains("verify_email"), "{logs}");
    assert!(!logs.contains(CODE), "{logs}");
    assert!(!logs.contains("very-secret-token"), "{logs}");
}

#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
