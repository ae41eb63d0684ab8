//! The composition root: reads configuration, picks and wires the adapters,
//! and runs the HTTP server. `main.rs` is the `meiduo-accounts` command line.

pub mod access_token_keys;
pub mod config;
pub mod container;
pub mod docs;
pub mod outbox_worker;
pub mod retention_worker;
pub mod secret;
pub mod server;
pub mod shutdown_signal;
pub mod telemetry;

pub use config::{Config, ConfigError};
pub use server::{Application, StartError};
