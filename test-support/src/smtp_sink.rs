//! A small SMTP server on loopback for tests: it speaks enough ESMTP (EHLO, AUTH
//! PLAIN/LOGIN, STARTTLS, MAIL, RCPT, DATA, QUIT) for a real client, records every
//! mail it takes with what was said before it on its connection, and can be told to
//! refuse a recipient or a mail, for good or only for the next transactions.
//!
//! ```no_run
//! # async fn example() {
//! use std::time::Duration;
//! use test_support::smtp_sink::SmtpSink;
//!
//! let sink = SmtpSink::plain().await;
//! // … point the mailer at 127.0.0.1:sink.port() and make it send …
//! let mail = sink.next_mail_to("buyer@example.com", Duration::from_secs(10)).await;
//! assert!(mail.text.contains("123456"));
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailparse::{MailHeaderMap, ParsedMail};
use parking_lot::Mutex;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

pub use tokio_rustls::TlsAcceptor;

/// One mail the sink took, with what was said before it on its connection.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The user name and password of a successful `AUTH PLAIN` or `AUTH LOGIN`.
    pub auth: Option<(String, String)>,
    /// Whether the connection was encrypted (implicit TLS or after STARTTLS).
    pub encrypted: bool,
    /// The envelope sender (`MAIL FROM:<…>`), without the angle brackets.
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO:<…>`), without the angle brackets.
    pub rcpt_to: Vec<String>,
    /// The content after `DATA`, dot-unstuffed, lines ending in CRLF.
    pub data: Vec<u8>,
}

impl Delivery {
    /// The mail decoded. Panics unless it is a `multipart/alternative` mail with exactly
    /// one `text/plain` and one `text/html` part, which is what the service sends.
    pub fn mail(&self) -> Mail {
        let parsed = mailparse::parse_mail(&self.data).unwrap_or_else(|e| panic!("not a mail ({e}): {self:?}"));
        assert_eq!(parsed.ctype.mimetype, "multipart/alternative", "{}", String::from_utf8_lossy(&self.data));
        Mail {
            headers: parsed.headers.iter().map(|h| (h.get_key(), h.get_value())).collect(),
            subject: parsed.headers.get_first_value("Subject").unwrap_or_default(),
            text: only_part(&parsed, "text/plain"),
            html: only_part(&parsed, "text/html"),
            delivery: self.clone(),
        }
    }
}

/// The decoded body of the one part of `mail` with this MIME type.
fn only_part(mail: &ParsedMail<'_>, mimetype: &str) -> String {
    let found: Vec<_> = mail.subparts.iter().filter(|part| part.ctype.mimetype == mimetype).collect();
    assert_eq!(found.len(), 1, "expected one {mimetype} part, found {}", found.len());
    found[0].get_body().unwrap_or_else(|e| panic!("the {mimetype} part cannot be decoded: {e}"))
}

/// A mail the sink took, decoded: headers (RFC 2047 words decoded) and both bodies
/// (transfer encoding undone, in their charset).
#[derive(Debug, Clone)]
pub struct Mail {
    pub subject: String,
    /// The `text/plain` part.
    pub text: String,
    /// The `text/html` part.
    pub html: String,
    /// Every header in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The envelope and raw content it came from.
    pub delivery: Delivery,
}

impl Mail {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// How the sink protects its connections.
#[derive(Clone)]
pub enum SinkTls {
    None,
    /// Offers STARTTLS, upgrades when asked, and takes credentials only once encrypted.
    StartTls(TlsAcceptor),
    /// TLS from the first byte.
    Implicit(TlsAcceptor),
}

/// Replies the sink gives instead of accepting; `Script::default()` accepts everything.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Sent to every `RCPT TO` instead of 250, e.g. `"550 5.1.1 no such user"`.
    pub rcpt: Option<&'static str>,
    /// Sent after the mail's content instead of 250, e.g. `"451 4.3.0 queue full"`.
    pub data: Option<&'static str>,
}

#[derive(Default)]
struct Record {
    connections: usize,
    auth_attempts: usize,
    deliveries: Vec<Delivery>,
    /// The replies given instead of accepting, in order.
    refusals: Vec<String>,
    /// Deliveries already handed out by `next_delivery_to`, per lower-cased recipient.
    taken: HashMap<String, usize>,
    script: Script,
    /// Scripts for the next mail transactions, one each, before `script` applies again.
    once: VecDeque<Script>,
}

impl Record {
    /// The script of a transaction that starts now.
    fn next_script(&mut self) -> Script {
        self.once.pop_front().unwrap_or_else(|| self.script.clone())
    }
}

#[derive(Default)]
struct Shared {
    record: Mutex<Record>,
    /// Notified after every delivery.
    delivered: Notify,
}

/// The sink, listening on `127.0.0.1` at a free port until dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink that protects its connections as `tls` says and answers as `script` says.
    pub async fn start(tls: SinkTls, script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("the SMTP sink's address");
        let shared = Arc::new(Shared::default());
        shared.record.lock().script = script;
        let accepting = Arc::clone(&shared);
        let acceptor = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                accepting.record.lock().connections += 1;
                let (tls, shared) = (tls.clone(), Arc::clone(&accepting));
                // A session that fails (the client hung up, a refused handshake) just ends.
                tokio::spawn(async move { drop(serve(tcp, tls, shared).await) });
            }
        });
        Self { addr, shared, acceptor }
    }

    /// A sink without TLS that accepts every mail.
    pub async fn plain() -> Self {
        Self::start(SinkTls::None, Script::default()).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// From now on, answer every mail transaction as `script` says.
    pub fn set_script(&self, script: Script) {
        self.shared.record.lock().script = script;
    }

    /// Answer the next mail transaction (from `MAIL FROM` on) as `script` says, then as
    /// before; calls queue up, one transaction each.
    pub fn script_once(&self, script: Script) {
        self.shared.record.lock().once.push_back(script);
    }

    /// Every mail taken so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.record.lock().deliveries.clone()
    }

    /// The one mail taken so far; panics when there is none or more than one.
    pub fn only_delivery(&self) -> Delivery {
        let mut deliveries = self.deliveries();
        assert_eq!(deliveries.len(), 1, "{deliveries:#?}");
        deliveries.remove(0)
    }

    /// The replies given instead of accepting (scripted refusals), oldest first.
    pub fn refusals(&self) -> Vec<String> {
        self.shared.record.lock().refusals.clone()
    }

    /// Connections accepted so far, whatever became of them.
    pub fn connections(&self) -> usize {
        self.shared.record.lock().connections
    }

    /// `AUTH` commands received so far, refused ones included.
    pub fn auth_attempts(&self) -> usize {
        self.shared.record.lock().auth_attempts
    }

    /// Waits up to `timeout` for the next mail to `recipient` (case-insensitive) that this
    /// method has not returned yet, and returns it. Panics when none comes in time.
    pub async fn next_delivery_to(&self, recipient: &str, timeout: Duration) -> Delivery {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so that a delivery in between still wakes us.
            let delivered = self.shared.delivered.notified();
            tokio::pin!(delivered);
            delivered.as_mut().enable();
            if let Some(delivery) = self.take_next(recipient) {
                return delivery;
            }
            if tokio::time::timeout_at(deadline, delivered).await.is_err() {
                let record = self.shared.record.lock();
                let recipients: Vec<&Vec<String>> = record.deliveries.iter().map(|d| &d.rcpt_to).collect();
                panic!(
                    "no new mail to {recipient} within {timeout:?}; recipients so far: {recipients:?}, refusals: {:?}",
                    record.refusals
                );
            }
        }
    }

    /// [`Self::next_delivery_to`], decoded with [`Delivery::mail`].
    pub async fn next_mail_to(&self, recipient: &str, timeout: Duration) -> Mail {
        self.next_delivery_to(recipient, timeout).await.mail()
    }

    fn take_next(&self, recipient: &str) -> Option<Delivery> {
        let key = recipient.to_ascii_lowercase();
        let mut record = self.shared.record.lock();
        let taken = record.taken.get(&key).copied().unwrap_or(0);
        let next = record
            .deliveries
            .iter()
            .filter(|d| d.rcpt_to.iter().any(|to| to.eq_ignore_ascii_case(recipient)))
            .nth(taken)
            .cloned()?;
        record.taken.insert(key, taken + 1);
        Some(next)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

type Connection = BufReader<Box<dyn Stream>>;

async fn serve(tcp: TcpStream, tls: SinkTls, shared: Arc<Shared>) -> io::Result<()> {
    let (mut conn, mut encrypted): (Connection, bool) = match &tls {
        SinkTls::Implicit(acceptor) => (BufReader::new(Box::new(acceptor.accept(tcp).await?)), true),
        _ => (BufReader::new(Box::new(tcp)), false),
    };
    conn.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut auth = None;
    let mut mail_from = None;
    let mut rcpt_to = Vec::new();
    let mut script = Script::default();
    loop {
        let line = read_line(&mut conn).await?;
        let upper = line.to_ascii_uppercase();
        // Like a real submission server, a STARTTLS sink takes credentials only once encrypted.
        let must_upgrade = matches!(tls, SinkTls::StartTls(_)) && !encrypted;
        if upper.starts_with("AUTH") {
            shared.record.lock().auth_attempts += 1;
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
            // `authzid NUL authcid NUL password`
            let credentials = decode_base64(&encoded).and_then(|decoded| {
                let mut parts = decoded.split('\0').skip(1);
                Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
            });
            auth = accept_credentials(&mut conn, credentials).await?;
        } else if upper.starts_with("AUTH LOGIN") {
            conn.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let user = decode_base64(&read_line(&mut conn).await?);
            conn.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            let password = decode_base64(&read_line(&mut conn).await?);
            auth = accept_credentials(&mut conn, user.zip(password)).await?;
        } else if upper.starts_with("MAIL FROM:") {
            script = shared.record.lock().next_script();
            mail_from = Some(angle_address(&line));
            rcpt_to.clear();
            conn.write_all(b"250 2.1.0 ok\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            match script.rcpt {
                Some(reply) => refuse(&mut conn, &shared, reply).await?,
                None => {
                    rcpt_to.push(angle_address(&line));
                    conn.write_all(b"250 2.1.5 ok\r\n").await?;
                }
            }
        } else if upper == "DATA" {
            conn.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let data = read_data(&mut conn).await?;
            match script.data {
                Some(reply) => refuse(&mut conn, &shared, reply).await?,
                None => {
                    shared.record.lock().deliveries.push(Delivery {
                        auth: auth.clone(),
                        encrypted,
                        mail_from: mail_from.take().unwrap_or_default(),
                        rcpt_to: std::mem::take(&mut rcpt_to),
                        data,
                    });
                    shared.delivered.notify_waiters();
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

async fn refuse(conn: &mut Connection, shared: &Shared, reply: &str) -> io::Result<()> {
    shared.record.lock().refusals.push(reply.to_owned());
    conn.write_all(format!("{reply}\r\n").as_bytes()).await
}

/// Takes any well-formed credentials; a client that sends garbage is told so.
async fn accept_credentials(
    conn: &mut Connection,
    credentials: Option<(String, String)>,
) -> io::Result<Option<(String, String)>> {
    match credentials {
        Some(credentials) => {
            conn.write_all(b"235 2.7.0 accepted\r\n").await?;
            Ok(Some(credentials))
        }
        None => {
            conn.write_all(b"501 5.5.2 cannot decode the credentials\r\n").await?;
            Ok(None)
        }
    }
}

async fn read_line(conn: &mut Connection) -> io::Result<String> {
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The content after DATA up to the lone dot, dot-unstuffed, lines ending in CRLF.
async fn read_data(conn: &mut Connection) -> io::Result<Vec<u8>> {
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

fn decode_base64(encoded: &str) -> Option<String> {
    String::from_utf8(BASE64.decode(encoded.trim()).ok()?).ok()
}

/// A certificate for 127.0.0.1 signed by itself: its PEM (for the client to trust) and
/// an acceptor for [`SinkTls`].
pub fn self_signed() -> (String, TlsAcceptor) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("a self-signed certificate");
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .expect("rustls' default protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("the sink's certificate and key");
    (certified.cert.pem(), TlsAcceptor::from(Arc::new(config)))
}
