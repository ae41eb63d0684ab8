use application::ports::{
    Channel, ClaimedMessage, CodePurpose, DeliveryError, MessageContent, MessageSender, OutgoingMessage,
};
use async_trait::async_trait;
use chrono::Utc;
use domain::{Mobile, VerificationCode};
use reqwest::header::{AUTHORIZATION, HOST};
use reqwest::{Client, Url};
use secrecy::ExposeSecret;

use super::error_codes::{Failure, classify};
use super::send_sms_response::{self, SendSmsAnswer};
use super::settings::AliyunSmsSettings;
use super::setup_error::AliyunSmsSetupError;
use super::signing::{self, SignedRequest};
use crate::provider_http::{provider_client, transport_failure_reason};

const ACTION: &str = "SendSms";
const VERSION: &str = "2017-05-25";

/// Sends verification codes as text messages through Alibaba Cloud SMS (dysmsapi `SendSms`,
/// signed with ACS3-HMAC-SHA256), one number per request, parameters in the query.
#[derive(Debug)]
pub struct AliyunSmsSender {
    settings: AliyunSmsSettings,
    client: Client,
    url: Url,
    /// The `Host` header as sent, which the signature covers.
    host: String,
}

impl AliyunSmsSender {
    pub fn new(settings: AliyunSmsSettings) -> Result<Self, AliyunSmsSetupError> {
        let required: [(&'static str, &str); 5] = [
            ("access_key_id", &settings.access_key_id),
            ("access_key_secret", settings.access_key_secret.expose_secret()),
            ("sign_name", &settings.sign_name),
            ("register_template_code", &settings.register_template_code),
            ("reset_password_template_code", &settings.reset_password_template_code),
        ];
        for (name, value) in required {
            if value.trim().is_empty() {
                return Err(AliyunSmsSetupError::Missing(name));
            }
        }
        let url = Url::parse(&settings.endpoint)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| AliyunSmsSetupError::Endpoint(settings.endpoint.clone()))?;
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(AliyunSmsSetupError::Endpoint(settings.endpoint.clone())),
        };
        let client =
            provider_client(settings.timeout).build().map_err(|e| AliyunSmsSetupError::Client(e.to_string()))?;
        Ok(Self { settings, client, url, host })
    }

    fn template_code(&self, purpose: CodePurpose) -> &str {
        match purpose {
            CodePurpose::Register => &self.settings.register_template_code,
            CodePurpose::ResetPassword => &self.settings.reset_password_template_code,
        }
    }

    async fn send_code(
        &self,
        mobile: &Mobile,
        purpose: CodePurpose,
        code: &VerificationCode,
        out_id: Option<&str>,
    ) -> Result<SendSmsAnswer, DeliveryError> {
        let phone = mobile.to_string();
        let template_param = serde_json::json!({ "code": code.expose() }).to_string();
        let mut query = vec![
            ("PhoneNumbers", phone.as_str()),
            ("SignName", self.settings.sign_name.as_str()),
            ("TemplateCode", self.template_code(purpose)),
            ("TemplateParam", template_param.as_str()),
        ];
        if let Some(out_id) = out_id {
            query.push(("OutId", out_id));
        }
        let date = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        // A fresh nonce per request, retries included: Alibaba refuses one it has seen.
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let hashed_payload = signing::sha256_hex(b"");
        let headers = [
            ("host", self.host.as_str()),
            ("x-acs-action", ACTION),
            ("x-acs-version", VERSION),
            ("x-acs-date", date.as_str()),
            ("x-acs-signature-nonce", nonce.as_str()),
            ("x-acs-content-sha256", hashed_payload.as_str()),
        ];
        let signed = SignedRequest {
            method: "POST",
            path: "/",
            query: &query,
            headers: &headers,
            hashed_payload: &hashed_payload,
        };
        let authorization = signing::authorization(
            &self.settings.access_key_id,
            self.settings.access_key_secret.expose_secret(),
            &signed,
        );
        let mut url = self.url.clone();
        url.set_path("/");
        // The canonical query as sent, so that what arrives is what was signed.
        url.set_query(Some(&signing::canonical_query(&query)));

        let mut request = self.client.post(url).header(AUTHORIZATION, authorization);
        for (name, value) in headers {
            // `host` set explicitly so that the host sent is the host signed.
            request = if name == "host" { request.header(HOST, value) } else { request.header(name, value) };
        }
        let response = request.send().await.map_err(transport_failure)?;
        let status = response.status();
        let answer = response.bytes().await.map_err(transport_failure)?;
        match send_sms_response::parse(&answer) {
            Ok(answer) => Ok(answer),
            // No answer of Alibaba's: a gateway or proxy on the way, or the service failing.
            Err(e) => Err(DeliveryError::Unavailable(format!("aliyun sms: HTTP {status}: {e}"))),
        }
    }

    async fn deliver(&self, message: &OutgoingMessage, out_id: Option<&str>) -> Result<(), DeliveryError> {
        let (purpose, code) = match (&message.channel, &message.content) {
            (Channel::Sms, MessageContent::Code { purpose, code }) => (*purpose, code),
            (Channel::Sms, MessageContent::EmailVerification { .. }) => {
                return Err(DeliveryError::Rejected("aliyun sms: no template for an email-verification link".into()));
            }
            (channel, _) => {
                return Err(DeliveryError::Rejected(format!(
                    "aliyun sms: sends text messages only, not {}",
                    channel.as_str()
                )));
            }
        };
        let mobile = Mobile::parse(&message.to).map_err(|_| {
            DeliveryError::Rejected("aliyun sms: the recipient is not a mainland China mobile number".into())
        })?;
        // The masked number is enough to match a complaint with the RequestId; the code never goes to a log.
        let recipient = mobile.masked();
        let answer = match self.send_code(&mobile, purpose, code, out_id).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::warn!(recipient, purpose = purpose.as_str(), %error, "aliyun sms: no answer");
                return Err(error);
            }
        };
        let sent = answer.is_ok();
        let SendSmsAnswer { code, message, biz_id, request_id } = answer;
        if sent {
            tracing::info!(
                recipient,
                purpose = purpose.as_str(),
                provider_code = code,
                biz_id,
                request_id,
                out_id,
                "aliyun sms: sent"
            );
            return Ok(());
        }
        let failure = classify(&code);
        tracing::warn!(
            recipient,
            purpose = purpose.as_str(),
            provider_code = code,
            request_id,
            out_id,
            failure = ?failure,
            "aliyun sms: not sent"
        );
        let text = format!("aliyun sms: {code}: {message} (RequestId {request_id})");
        Err(match failure {
            Failure::NumberThrottled => DeliveryError::Temporary(text),
            Failure::Unavailable => DeliveryError::Unavailable(text),
            Failure::Permanent => DeliveryError::Rejected(text),
        })
    }
}

#[async_trait]
impl MessageSender for AliyunSmsSender {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        self.deliver(message, None).await
    }

    async fn send_queued(&self, queued: &ClaimedMessage) -> Result<(), DeliveryError> {
        self.deliver(&queued.message, Some(&queued.id.to_string())).await
    }
}

/// No answer at all (timeout, refused connection, broken body): the provider is unreachable.
fn transport_failure(error: reqwest::Error) -> DeliveryError {
    DeliveryError::Unavailable(format!("aliyun sms: {}", transport_failure_reason(error)))
}
