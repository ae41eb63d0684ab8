use std::fmt;
use std::time::Duration;

use secrecy::SecretString;

/// What the Alibaba Cloud SMS adapter needs: an AccessKey pair, the approved signature,
/// one approved template per code purpose, and where to send.
#[derive(Clone)]
pub struct AliyunSmsSettings {
    /// The AccessKey ID (`LTAI...`): names the key, is sent with every request, and may be logged.
    pub access_key_id: String,
    /// The AccessKey secret: signs requests, never sent, never shown; exposed only to sign.
    pub access_key_secret: SecretString,
    /// The approved signature (签名), e.g. `美多商城`.
    pub sign_name: String,
    /// Approved template (`SMS_...`) for registration codes; its one variable is `${code}`.
    pub register_template_code: String,
    /// Approved template for password-reset codes, with the same variable.
    pub reset_password_template_code: String,
    /// Base URL of the API; tests point it at a local fake.
    pub endpoint: String,
    /// Limit on one whole request, connecting included.
    pub timeout: Duration,
}

impl AliyunSmsSettings {
    pub const DEFAULT_ENDPOINT: &'static str = "https://dysmsapi.aliyuncs.com";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Settings with the default endpoint and timeout.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<SecretString>,
        sign_name: impl Into<String>,
        register_template_code: impl Into<String>,
        reset_password_template_code: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            sign_name: sign_name.into(),
            register_template_code: register_template_code.into(),
            reset_password_template_code: reset_password_template_code.into(),
            endpoint: Self::DEFAULT_ENDPOINT.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for AliyunSmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunSmsSettings")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("sign_name", &self.sign_name)
            .field("register_template_code", &self.register_template_code)
            .field("reset_password_template_code", &self.reset_password_template_code)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_debug_without_the_secret() {
        let settings = AliyunSmsSettings::new("LTAIexample", "do-not-print-me", "美多商城", "SMS_1", "SMS_2");
        assert_eq!(settings.endpoint, "https://dysmsapi.aliyuncs.com");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("do-not-print-me"), "{shown}");
        assert!(shown.contains("LTAIexample") && shown.contains("access_key_secret: \"***\""), "{shown}");
    }
}
