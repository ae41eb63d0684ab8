use application::ports::{Channel, CodePurpose, DeliveryError, MessageContent, MessageSender, OutgoingMessage};
use async_trait::async_trait;
use chrono::Utc;
use domain::{Mobile, VerificationCode};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use reqwest::{Client, Url};
use secrecy::ExposeSecret;

use super::error_codes::{Failure, classify};
use super::send_sms_request::SendSmsRequest;
use super::send_sms_response::{self, SendSmsOutcome};
use super::settings::TencentSmsSettings;
use super::setup_error::TencentSmsSetupError;
use super::signing::{self, Credentials, SignedParts};
use crate::provider_http::{provider_client, transport_failure_reason};

const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";

/// Sends verification codes as text messages through Tencent Cloud SMS (API 3.0 `SendSms`,
/// signed with TC3-HMAC-SHA256), one number per request.
#[derive(Debug)]
pub struct TencentSmsSender {
    settings: TencentSmsSettings,
    client: Client,
    url: Url,
    /// The `Host` header as sent, which the signature covers.
    host: String,
    code_valid_minutes: String,
}

impl TencentSmsSender {
    pub fn new(settings: TencentSmsSettings) -> Result<Self, TencentSmsSetupError> {
        let required: [(&'static str, &str); 7] = [
            ("secret_id", &settings.secret_id),
            ("secret_key", settings.secret_key.expose_secret()),
            ("sdk_app_id", &settings.sdk_app_id),
            ("sign_name", &settings.sign_name),
            ("register_template_id", &settings.register_template_id),
            ("reset_password_template_id", &settings.reset_password_template_id),
            ("region", &settings.region),
        ];
        for (name, value) in required {
            if value.trim().is_empty() {
                return Err(TencentSmsSetupError::Missing(name));
            }
        }
        let url = Url::parse(&settings.endpoint)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| TencentSmsSetupError::Endpoint(settings.endpoint.clone()))?;
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(TencentSmsSetupError::Endpoint(settings.endpoint.clone())),
        };
        let client =
            provider_client(settings.timeout).build().map_err(|e| TencentSmsSetupError::Client(e.to_string()))?;
        let code_valid_minutes = settings.code_valid_minutes.to_string();
        Ok(Self { settings, client, url, host, code_valid_minutes })
    }

    fn template_id(&self, purpose: CodePurpose) -> &str {
        match purpose {
            CodePurpose::Register => &self.settings.register_template_id,
            CodePurpose::ResetPassword => &self.settings.reset_password_template_id,
        }
    }

    async fn send_code(
        &self,
        mobile: &Mobile,
        purpose: CodePurpose,
        code: &VerificationCode,
    ) -> Result<SendSmsOutcome, DeliveryError> {
        let body = SendSmsRequest {
            phone_number_set: [format!("+86{mobile}")],
            sms_sdk_app_id: &self.settings.sdk_app_id,
            sign_name: &self.settings.sign_name,
            template_id: self.template_id(purpose),
            template_param_set: [code.expose(), &self.code_valid_minutes],
        };
        let payload = serde_json::to_vec(&body)
            .map_err(|e| DeliveryError::Rejected(format!("tencent sms: cannot encode the request: {e}")))?;
        let timestamp = Utc::now();
        let parts = SignedParts {
            service: SERVICE,
            host: &self.host,
            content_type: signing::CONTENT_TYPE,
            action: Some(ACTION),
            payload: &payload,
            timestamp,
        };
        let credentials =
            Credentials { secret_id: &self.settings.secret_id, secret_key: self.settings.secret_key.expose_secret() };
        let authorization = signing::authorization(&credentials, &parts);

        let response = self
            .client
            .post(self.url.clone())
            // Set explicitly so that the host sent is the host signed.
            .header(HOST, &self.host)
            .header(CONTENT_TYPE, signing::CONTENT_TYPE)
            .header(AUTHORIZATION, authorization)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Region", &self.settings.region)
            .header("X-TC-Timestamp", timestamp.timestamp().to_string())
            .body(payload)
            .send()
            .await
            .map_err(transport_failure)?;
        let status = response.status();
        if !status.is_success() {
            // Tencent itself answers every outcome with 200; anything else came from a
            // gateway or proxy on the way, which is worth another try.
            return Err(DeliveryError::Unavailable(format!("tencent sms: HTTP {status}")));
        }
        let answer = response.bytes().await.map_err(transport_failure)?;
        send_sms_response::parse(&answer).map_err(|e| DeliveryError::Unavailable(format!("tencent sms: {e}")))
    }
}

#[async_trait]
impl MessageSender for TencentSmsSender {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        let (purpose, code) = match (&message.channel, &message.content) {
            (Channel::Sms, MessageContent::Code { purpose, code }) => (*purpose, code),
            (Channel::Sms, MessageContent::EmailVerification { .. }) => {
                return Err(DeliveryError::Rejected("tencent sms: no template for an email-verification link".into()));
            }
            (channel, _) => {
                return Err(DeliveryError::Rejected(format!(
                    "tencent sms: sends text messages only, not {}",
                    channel.as_str()
                )));
            }
        };
        let mobile = Mobile::parse(&message.to).map_err(|_| {
            DeliveryError::Rejected("tencent sms: the recipient is not a mainland China mobile number".into())
        })?;
        // The masked number is enough to match a complaint with the RequestId; the code never goes to a log.
        let recipient = mobile.masked();
        let outcome = match self.send_code(&mobile, purpose, code).await {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(recipient, purpose = purpose.as_str(), %error, "tencent sms: no answer");
                return Err(error);
            }
        };
        match outcome {
            SendSmsOutcome::Sent { request_id } => {
                tracing::info!(
                    recipient,
                    purpose = purpose.as_str(),
                    provider_code = "Ok",
                    request_id,
                    "tencent sms: sent"
                );
                Ok(())
            }
            SendSmsOutcome::Failed { code, message, request_id } => {
                let failure = classify(&code);
                tracing::warn!(
                    recipient,
                    purpose = purpose.as_str(),
                    provider_code = code,
                    request_id,
                    failure = ?failure,
                    "tencent sms: not sent"
                );
                let text = format!("tencent sms: {code}: {message} (RequestId {request_id})");
                Err(match failure {
                    Failure::Later => DeliveryError::Temporary(text),
                    Failure::Unavailable => DeliveryError::Unavailable(text),
                    Failure::Permanent => DeliveryError::Rejected(text),
                })
            }
        }
    }
}

/// No answer at all (timeout, refused connection, broken body): the provider is unreachable,
/// worth another try or the next provider.
fn transport_failure(error: reqwest::Error) -> DeliveryError {
    DeliveryError::Unavailable(format!("tencent sms: {}", transport_failure_reason(error)))
}
