//! Third-party login providers: QQ Connect (OAuth 2.0, authorization code) and WeChat
//! (mini-program login, website QR login, the mini-program's phone number). The website
//! logins run on the `oauth2` crate (`token_exchange`), each provider speaking its own
//! dialect; each provider's error codes are read in its `*_failure` module and nowhere above.

mod qq_answer;
mod qq_connect_client;
mod qq_failure;
mod qq_settings;
mod qq_setup_error;
mod qq_token_dialect;
mod token_exchange;
mod wechat_answer;
mod wechat_client;
mod wechat_failure;
mod wechat_settings;
mod wechat_setup_error;
mod wechat_token_dialect;

pub use qq_connect_client::QqConnectClient;
pub use qq_settings::QqSettings;
pub use qq_setup_error::QqSetupError;
pub use wechat_client::WeChatApiClient;
pub use wechat_settings::WeChatSettings;
pub use wechat_setup_error::WeChatSetupError;
