use std::fmt;
use std::time::Duration;

use secrecy::SecretString;

/// What the WeChat adapter needs: the mini-program (for `wx.login` and the phone button) and
/// the website app on the Open Platform (for the QR login), and where WeChat is.
///
/// Either app may be left out (its app id empty): the calls that need it then answer
/// `Unavailable("... not configured")` instead of sending WeChat an empty app id.
#[derive(Clone)]
pub struct WeChatSettings {
    /// The mini-program's AppID; empty when there is no mini-program.
    pub mp_app_id: String,
    /// The mini-program's AppSecret; never shown.
    pub mp_secret: SecretString,
    /// The website app's AppID on the Open Platform; empty when there is no QR login.
    pub web_app_id: String,
    /// The website app's AppSecret; never shown.
    pub web_secret: SecretString,
    /// The QR login's callback; its domain must be the one registered with the website app.
    pub web_redirect_uri: String,
    /// Base URL of the server API (`sns/...`, `cgi-bin/...`, `wxa/...`); tests point it at a local fake.
    pub api_base: String,
    /// Base URL of the browser-facing QR login page.
    pub open_base: String,
    /// Limit on each HTTP call, connecting included.
    pub timeout: Duration,
    /// How many times a call WeChat answers with `-1` (system busy) is made again.
    pub busy_retries: u32,
    /// The wait before the first retry of a busy call; it doubles before each further one.
    pub busy_backoff: Duration,
}

impl WeChatSettings {
    pub const DEFAULT_API_BASE: &'static str = "https://api.weixin.qq.com";
    pub const DEFAULT_OPEN_BASE: &'static str = "https://open.weixin.qq.com";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    pub const DEFAULT_BUSY_RETRIES: u32 = 3;
    pub const DEFAULT_BUSY_BACKOFF: Duration = Duration::from_millis(200);

    /// WeChat's own base URLs and the default limits, with neither app configured.
    pub fn new() -> Self {
        Self {
            mp_app_id: String::new(),
            mp_secret: SecretString::default(),
            web_app_id: String::new(),
            web_secret: SecretString::default(),
            web_redirect_uri: String::new(),
            api_base: Self::DEFAULT_API_BASE.to_owned(),
            open_base: Self::DEFAULT_OPEN_BASE.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            busy_retries: Self::DEFAULT_BUSY_RETRIES,
            busy_backoff: Self::DEFAULT_BUSY_BACKOFF,
        }
    }

    /// With the mini-program.
    #[must_use]
    pub fn with_mini_program(mut self, app_id: impl Into<String>, secret: impl Into<SecretString>) -> Self {
        self.mp_app_id = app_id.into();
        self.mp_secret = secret.into();
        self
    }

    /// With the website app and its callback.
    #[must_use]
    pub fn with_website(
        mut self,
        app_id: impl Into<String>,
        secret: impl Into<SecretString>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        self.web_app_id = app_id.into();
        self.web_secret = secret.into();
        self.web_redirect_uri = redirect_uri.into();
        self
    }

    pub fn has_mini_program(&self) -> bool {
        !self.mp_app_id.trim().is_empty()
    }

    pub fn has_website(&self) -> bool {
        !self.web_app_id.trim().is_empty()
    }
}

impl Default for WeChatSettings {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WeChatSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeChatSettings")
            .field("mp_app_id", &self.mp_app_id)
            .field("mp_secret", &"***")
            .field("web_app_id", &self.web_app_id)
            .field("web_secret", &"***")
            .field("web_redirect_uri", &self.web_redirect_uri)
            .field("api_base", &self.api_base)
            .field("open_base", &self.open_base)
            .field("timeout", &self.timeout)
            .field("busy_retries", &self.busy_retries)
            .field("busy_backoff", &self.busy_backoff)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_debug_without_the_secrets() {
        let settings = WeChatSettings::new()
            .with_mini_program("wx5d2a8f9c3b1e7a40", "mp-secret-do-not-print")
            .with_website("wxf1e2d3c4b5a69788", "web-secret-do-not-print", "https://www.meiduo.site/wechat_callback");
        assert_eq!(settings.api_base, "https://api.weixin.qq.com");
        assert_eq!(settings.open_base, "https://open.weixin.qq.com");
        assert_eq!(settings.timeout, Duration::from_secs(5));
        assert_eq!(settings.busy_retries, 3);
        assert_eq!(settings.busy_backoff, Duration::from_millis(200));
        assert!(settings.has_mini_program() && settings.has_website());
        let shown = format!("{settings:?}");
        assert!(!shown.contains("do-not-print"), "{shown}");
        assert!(shown.contains("wx5d2a8f9c3b1e7a40") && shown.contains("mp_secret: \"***\""), "{shown}");
        assert!(!WeChatSettings::default().has_mini_program() && !WeChatSettings::default().has_website());
    }
}
