//! The embedded backend: one SQLite file, WAL mode.

mod connect;
mod user_repository;

pub use connect::{connect_sqlite, migrate_sqlite};
pub use user_repository::SqliteUserRepository;
