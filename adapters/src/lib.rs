//! Adapters: the driven side (storage, cache, security, messaging, captcha, login providers)
//! implementing the application's ports, and the driving side (the salvo HTTP API).
//!
//! Each adapter turns its library's errors into the port's error type, so
//! nothing above this crate sees sqlx, jsonwebtoken or salvo.

pub mod account_cache;
pub mod cache;
pub mod captcha;
pub mod http;
pub mod messaging;
pub mod metrics;
pub mod oauth;
pub mod persistence;
pub mod personal_data;
mod provider_http;
pub mod security;
pub mod system;
