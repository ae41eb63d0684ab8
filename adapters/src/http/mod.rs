//! The driving side: the salvo HTTP API of `API.md`.

mod api_error;
mod auth;
mod body;
mod catcher;
mod client_ip;
pub mod dto;
mod error_body;
pub mod handlers;
mod language;
mod messages;
mod oauth_flow_cookie;
mod request_log;
mod router;
mod state;

pub use api_error::ApiError;
pub use catcher::error_body_catcher;
pub use client_ip::ClientIpResolver;
pub use error_body::ErrorBody;
pub use language::Language;
pub use oauth_flow_cookie::OAuthFlowCookie;
pub use request_log::RequestLog;
pub use router::{api_router, cors};
pub use state::{ApiState, OAuthLogin};
