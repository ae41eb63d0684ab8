//! The providers the service talks to over the network, and what stands in for them in development: mail
//! over SMTP, SMS through Tencent Cloud, the development message adapters and their outbox, the QQ Connect
//! and WeChat clients, and the captcha pictures.
//!
//! Each adapter turns its library's errors into the port's error type, so nothing above this crate sees
//! lettre, reqwest or oauth2.

pub mod captcha;
pub mod messaging;
pub mod oauth;
mod provider_http;
