//! The embedded backend: one SQLite file, WAL mode.

mod connect;
mod readiness;
mod user_repository;

pub use connect::{connect_sqlite, migrate_sqlite};
pub use readiness::SqliteReadiness;
pub use user_repository::SqliteUserRepository;
