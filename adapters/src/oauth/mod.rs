//! Third-party login providers: QQ Connect (OAuth 2.0, authorization code) and WeChat
//! (mini-program login, website QR login, the mini-program's phone number).

mod qq_answer;
mod qq_connect_client;
mod qq_settings;
mod qq_setup_error;
mod wechat_answer;
mod wechat_client;
mod wechat_settings;
mod wechat_setup_error;

pub use qq_connect_client::QqConnectClient;
pub use qq_settings::QqSettings;
pub use qq_setup_error::QqSetupError;
pub use wechat_client::WeChatApiClient;
pub use wechat_settings::WeChatSettings;
pub use wechat_setup_error::WeChatSetupError;
