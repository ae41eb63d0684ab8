use std::fmt;
use std::time::Duration;

use application::ports::{Channel, DeliveryError, MessageSender, OutgoingMessage};
use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::{MailTemplate, SmtpSettings, SmtpSetupError, SmtpTls};

/// Sends code and verification mails through an SMTP server (lettre over rustls).
///
/// One connection per mail: the outbox worker sends a few mails at a time, and a
/// fresh connection never trips over one the server closed while it sat idle.
pub struct SmtpMessageSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    code_valid_minutes: u32,
}

impl SmtpMessageSender {
    /// Checks the settings and prepares the transport; connects only when sending.
    pub fn new(settings: SmtpSettings) -> Result<Self, SmtpSetupError> {
        Self::build(settings, None)
    }

    /// Like [`new`](Self::new), but also trusts the PEM certificate(s) `root_pem` for
    /// `StartTls` and `Tls`: for a relay whose certificate a private CA signed.
    pub fn with_root_certificate(settings: SmtpSettings, root_pem: &[u8]) -> Result<Self, SmtpSetupError> {
        Self::build(settings, Some(root_pem))
    }

    fn build(settings: SmtpSettings, root_pem: Option<&[u8]>) -> Result<Self, SmtpSetupError> {
        if settings.host.trim().is_empty() {
            return Err(SmtpSetupError::MissingHost);
        }
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| SmtpSetupError::InvalidFrom { from: settings.from.clone(), reason: e.to_string() })?;
        if settings.timeout.is_zero() {
            return Err(SmtpSetupError::ZeroTimeout);
        }
        let tls = match settings.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls => Tls::Required(tls_parameters(&settings.host, root_pem)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(&settings.host, root_pem)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        match (settings.username, settings.password) {
            (Some(username), Some(password)) => {
                builder = builder.credentials(Credentials::new(username, password.expose_secret().to_owned()));
            }
            (None, None) => {}
            (Some(_), None) => return Err(SmtpSetupError::UsernameWithoutPassword),
            (None, Some(_)) => return Err(SmtpSetupError::PasswordWithoutUsername),
        }
        Ok(Self {
            transport: builder.build(),
            from,
            timeout: settings.timeout,
            code_valid_minutes: settings.code_valid_minutes,
        })
    }

    fn compose(&self, message: &OutgoingMessage) -> Result<Message, DeliveryError> {
        if message.channel != Channel::Email {
            return Err(DeliveryError::Rejected(format!(
                "cannot mail a message for channel {}",
                message.channel.as_str()
            )));
        }
        // A bare address only: no display name, no second recipient, no header injection.
        let to =
            message.to.parse::<Address>().map_err(|e| DeliveryError::Rejected(format!("not a mail address: {e}")))?;
        let template = MailTemplate::for_content(&message.content, self.code_valid_minutes);
        // Relays and spam filters expect a Message-ID; the sender's domain makes a
        // better one than this host's name, which may be a container id.
        let message_id = format!("<{}@{}>", uuid::Uuid::new_v4().simple(), self.from.email.domain());
        Message::builder()
            .message_id(Some(message_id))
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(template.subject)
            .multipart(MultiPart::alternative_plain_html(template.text, template.html))
            .map_err(|e| DeliveryError::Rejected(format!("cannot build the mail: {e}")))
    }
}

impl fmt::Debug for SmtpMessageSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMessageSender")
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

const PEM_CERTIFICATE: &[u8] = b"-----BEGIN CERTIFICATE-----";

fn tls_parameters(host: &str, root_pem: Option<&[u8]>) -> Result<TlsParameters, SmtpSetupError> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(pem) = root_pem {
        // lettre reads a text without any certificate as an empty list, and then nothing is trusted.
        if !pem.windows(PEM_CERTIFICATE.len()).any(|w| w == PEM_CERTIFICATE) {
            return Err(SmtpSetupError::Tls("the root certificate is not a PEM certificate".into()));
        }
        let certificate = Certificate::from_pem(pem).map_err(|e| SmtpSetupError::Tls(e.to_string()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| SmtpSetupError::Tls(e.to_string()))
}

/// A 5xx reply means this mail will never be taken (unknown mailbox, refused
/// content, bad credentials); anything else (4xx, network, TLS, a server that
/// does not speak proper SMTP) may pass on a later try.
fn classify(error: &lettre::transport::smtp::Error) -> DeliveryError {
    if error.is_permanent() {
        DeliveryError::Rejected(format!("SMTP server refused the mail: {error}"))
    } else {
        DeliveryError::Temporary(format!("SMTP delivery failed: {error}"))
    }
}

#[async_trait]
impl MessageSender for SmtpMessageSender {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        let purpose = message.content.purpose_name();
        // `?` quotes the recipient, so a refused one with a line break cannot forge a log line.
        let mail = self.compose(message).inspect_err(|e| {
            tracing::warn!(to = ?message.to, purpose, error = %e, "mail not sent");
        })?;
        // lettre bounds only the connect with its timeout; a server that stops
        // answering mid-dialogue would hold the worker forever without this one.
        let outcome = match tokio::time::timeout(self.timeout, self.transport.send(mail)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(&e)),
            Err(_) => Err(DeliveryError::Temporary(format!("SMTP delivery took longer than {:?}", self.timeout))),
        };
        match &outcome {
            Ok(()) => tracing::info!(to = ?message.to, purpose, "mail sent"),
            Err(e) => tracing::warn!(to = ?message.to, purpose, error = %e, "mail not sent"),
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.com".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: Some("mailer".into()),
            password: Some("secret".into()),
            from: "美多商城 <no-reply@example.com>".into(),
            timeout: Duration::from_secs(10),
            code_valid_minutes: 5,
        }
    }

    #[test]
    fn accepts_a_named_or_a_bare_sender() {
        let sender = SmtpMessageSender::new(settings()).unwrap();
        assert_eq!(sender.from.name.as_deref(), Some("美多商城"));
        assert_eq!(sender.from.email.to_string(), "no-reply@example.com");
        let bare = SmtpMessageSender::new(SmtpSettings { from: "no-reply@example.com".into(), ..settings() }).unwrap();
        assert_eq!(bare.from.name, None);
    }

    #[test]
    fn refuses_bad_settings_at_start_up() {
        let from = SmtpMessageSender::new(SmtpSettings { from: "美多商城 no-reply".into(), ..settings() }).unwrap_err();
        assert!(matches!(&from, SmtpSetupError::InvalidFrom { from, .. } if from == "美多商城 no-reply"), "{from:?}");
        assert!(from.to_string().contains("美多商城 no-reply"), "{from}");
        let cases = [
            (SmtpSettings { host: " ".into(), ..settings() }, SmtpSetupError::MissingHost),
            (SmtpSettings { password: None, ..settings() }, SmtpSetupError::UsernameWithoutPassword),
            (SmtpSettings { username: None, ..settings() }, SmtpSetupError::PasswordWithoutUsername),
            (SmtpSettings { timeout: Duration::ZERO, ..settings() }, SmtpSetupError::ZeroTimeout),
        ];
        for (settings, expected) in cases {
            assert_eq!(SmtpMessageSender::new(settings).unwrap_err(), expected);
        }
        let unauthenticated = SmtpSettings { username: None, password: None, tls: SmtpTls::None, ..settings() };
        assert!(SmtpMessageSender::new(unauthenticated).is_ok());
    }

    #[test]
    fn refuses_a_root_certificate_that_is_not_pem() {
        let error = SmtpMessageSender::with_root_certificate(settings(), b"not a certificate").unwrap_err();
        assert!(matches!(error, SmtpSetupError::Tls(_)), "{error:?}");
    }
}
