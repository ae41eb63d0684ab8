//! Relational storage through sqlx: SQLite for the embedded mode, PostgreSQL
//! for production. One SQL dialect serves both (numbered `$n` parameters,
//! expression indexes), so each repository is written once and instantiated
//! per backend.

mod access_token_revocations;
mod account_change_log;
mod account_deletions;
mod audit_log;
mod data_retention;
mod database;
mod email_change_store;
mod login_store;
mod migrations;
mod oauth_identity_repository;
mod outbox;
mod outbox_feed;
mod password_change_store;
mod postgres_pool;
mod postgres_transaction;
mod refresh_token_store;
mod refresh_token_successors;
mod registration_store;
mod sql_error;
mod statement_naming;
mod unnamed_statement;
mod user_repository;

pub use access_token_revocations::{PostgresAccessTokenRevocations, SqliteAccessTokenRevocations};
pub use account_change_log::{PostgresAccountChangeLog, SqliteAccountChangeLog};
pub use account_deletions::{PostgresAccountDeletions, SqliteAccountDeletions};
pub use audit_log::{PostgresAuditLog, SqliteAuditLog};
pub use data_retention::{PostgresDataRetention, SqliteDataRetention};
pub use database::{Database, DatabaseKind};
pub use email_change_store::{PostgresEmailChangeStore, SqliteEmailChangeStore};
pub use login_store::{PostgresLoginStore, SqliteLoginStore};
pub use oauth_identity_repository::{PostgresOAuthIdentityRepository, SqliteOAuthIdentityRepository};
pub use outbox::{PostgresOutbox, SqliteOutbox};
pub use outbox_feed::DatabaseOutboxFeed;
pub use password_change_store::{PostgresPasswordChangeStore, SqlitePasswordChangeStore};
pub use postgres_pool::PostgresPool;
pub use postgres_transaction::{PostgresConnection, PostgresTransaction};
pub use refresh_token_store::{PostgresRefreshTokenStore, SqliteRefreshTokenStore};
pub use refresh_token_successors::RefreshTokenSuccessors;
pub use registration_store::{PostgresRegistrationStore, SqliteRegistrationStore};
pub use statement_naming::StatementNaming;
pub use user_repository::{PostgresUserRepository, SqliteUserRepository};
