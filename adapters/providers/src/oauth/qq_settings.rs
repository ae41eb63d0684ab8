use std::fmt;
use std::time::Duration;

use secrecy::SecretString;

/// What the QQ Connect adapter needs: the app registered at connect.qq.com, the callback
/// registered with it, and where QQ is.
#[derive(Clone)]
pub struct QqSettings {
    /// The app id (APP ID), sent as `client_id`.
    pub client_id: String,
    /// The app key (APP Key), sent as `client_secret` to exchange codes; never shown.
    pub client_secret: SecretString,
    /// The callback as registered with QQ; QQ refuses any other (100010), and the token
    /// request must repeat the one the authorize URL carried.
    pub redirect_uri: String,
    /// Base URL of QQ Connect; tests point it at a local fake.
    pub api_base: String,
    /// Limit on each of the two calls of a login, connecting included.
    pub timeout: Duration,
    /// Asks QQ for its phone-sized login page (`display=mobile`).
    pub mobile_display: bool,
}

impl QqSettings {
    pub const DEFAULT_API_BASE: &'static str = "https://graph.qq.com";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Settings with QQ's own base URL, the default timeout and the desktop login page.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            api_base: Self::DEFAULT_API_BASE.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            mobile_display: false,
        }
    }
}

impl fmt::Debug for QqSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QqSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_uri", &self.redirect_uri)
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .field("mobile_display", &self.mobile_display)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_debug_without_the_secret() {
        let settings =
            QqSettings::new("101474184", "do-not-print-me", "http://www.meiduo.site:8080/oauth_callback.html");
        assert_eq!(settings.api_base, "https://graph.qq.com");
        assert_eq!(settings.timeout, Duration::from_secs(5));
        assert!(!settings.mobile_display);
        let shown = format!("{settings:?}");
        assert!(!shown.contains("do-not-print-me"), "{shown}");
        assert!(shown.contains("101474184") && shown.contains("client_secret: \"***\""), "{shown}");
    }
}
