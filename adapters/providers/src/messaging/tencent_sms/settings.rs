use std::fmt;
use std::time::Duration;

use secrecy::SecretString;

/// What the Tencent Cloud SMS adapter needs: an API key pair, the SMS application,
/// the approved signature, one approved template per code purpose, and where to send.
#[derive(Clone)]
pub struct TencentSmsSettings {
    /// The API key's SecretId (`AKID...`): names the key, is sent with every request, and may be logged.
    pub secret_id: String,
    /// The API key's SecretKey: signs requests, never sent, never shown; exposed only to sign.
    pub secret_key: SecretString,
    /// The SMS application's SdkAppId (`1400...`).
    pub sdk_app_id: String,
    /// The approved signature (签名), e.g. `美多商城`.
    pub sign_name: String,
    /// Approved template for registration codes; its parameters are `{1}` the code, `{2}` the minutes.
    pub register_template_id: String,
    /// Approved template for password-reset codes, with the same two parameters.
    pub reset_password_template_id: String,
    /// Sent as `X-TC-Region`.
    pub region: String,
    /// Base URL of the API; tests point it at a local fake.
    pub endpoint: String,
    /// Limit on one whole request, connecting included.
    pub timeout: Duration,
    /// The validity the message announces (the templates' second parameter); keep it equal to the code TTL.
    pub code_valid_minutes: u32,
}

impl TencentSmsSettings {
    pub const DEFAULT_REGION: &'static str = "ap-guangzhou";
    pub const DEFAULT_ENDPOINT: &'static str = "https://sms.tencentcloudapi.com";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The default code TTL is 300 s.
    pub const DEFAULT_CODE_VALID_MINUTES: u32 = 5;

    /// Settings with the default region, endpoint, timeout and announced validity.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<SecretString>,
        sdk_app_id: impl Into<String>,
        sign_name: impl Into<String>,
        register_template_id: impl Into<String>,
        reset_password_template_id: impl Into<String>,
    ) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            sdk_app_id: sdk_app_id.into(),
            sign_name: sign_name.into(),
            register_template_id: register_template_id.into(),
            reset_password_template_id: reset_password_template_id.into(),
            region: Self::DEFAULT_REGION.to_owned(),
            endpoint: Self::DEFAULT_ENDPOINT.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            code_valid_minutes: Self::DEFAULT_CODE_VALID_MINUTES,
        }
    }
}

impl fmt::Debug for TencentSmsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentSmsSettings")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"***")
            .field("sdk_app_id", &self.sdk_app_id)
            .field("sign_name", &self.sign_name)
            .field("register_template_id", &self.register_template_id)
            .field("reset_password_template_id", &self.reset_password_template_id)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("code_valid_minutes", &self.code_valid_minutes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_debug_without_the_secret_key() {
        let settings =
            TencentSmsSettings::new("AKIDexample", "do-not-print-me", "1400000000", "美多商城", "1001", "1002");
        assert_eq!(settings.region, "ap-guangzhou");
        assert_eq!(settings.endpoint, "https://sms.tencentcloudapi.com");
        assert_eq!(settings.code_valid_minutes, 5);
        let shown = format!("{settings:?}");
        assert!(!shown.contains("do-not-print-me"), "{shown}");
        assert!(shown.contains("AKIDexample") && shown.contains("secret_key: \"***\""), "{shown}");
    }
}
