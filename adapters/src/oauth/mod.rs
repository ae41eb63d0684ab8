//! Third-party login providers: QQ Connect (OAuth 2.0, authorization code).

mod qq_answer;
mod qq_connect_client;
mod qq_settings;
mod qq_setup_error;

pub use qq_connect_client::QqConnectClient;
pub use qq_settings::QqSettings;
pub use qq_setup_error::QqSetupError;
