//! The driving side: the salvo HTTP API that `openapi/openapi.json` documents.

mod api_error;
mod auth;
mod body;
mod catcher;
mod client_ip;
mod device_name;
pub mod dto;
mod error_body;
mod error_vocabulary;
pub mod handlers;
mod language;
mod messages;
mod metrics_endpoint;
mod no_store;
mod oauth_flow_cookie;
mod public_origin;
mod query;
mod request_log;
mod request_metrics;
mod router;
mod sign_in_origin;
mod state;

pub use api_error::ApiError;
pub use catcher::error_body_catcher;
pub use client_ip::ClientIpResolver;
pub use error_body::ErrorBody;
pub use language::Language;
pub use metrics_endpoint::MetricsEndpoint;
pub use oauth_flow_cookie::OAuthFlowCookie;
pub use request_log::RequestLog;
pub use request_metrics::RequestMetrics;
pub use router::{api_router, cors};
pub use state::{
    AccountUseCases, ApiState, CodeUseCases, EmailUseCases, OAuthLogin, OAuthUseCases, PasswordResetUseCases,
    SessionUseCases, SignUpUseCases,
};
