//! Relational storage through sqlx.

mod sql_error;
pub mod sqlite;

pub use sqlite::{SqliteReadiness, SqliteUserRepository, connect_sqlite, migrate_sqlite};
