use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Migrations are embedded in the binary, so it runs from any directory.
macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),+ $(,)?) => {
        Migrator::with_migrations(vec![$(
            Migration::new(
                $version,
                $name.into(),
                MigrationType::Simple,
                include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")).into_sql_str(),
                false,
            ),
        )+])
    };
}

pub(crate) fn sqlite() -> Migrator {
    migrations!("sqlite": 1 "0001_users", 2 "0002_outbox", 3 "0003_audit_events", 4 "0004_revoked_access_tokens", 5 "0005_refresh_tokens", 6 "0006_outbox_links", 7 "0007_oauth_identities", 8 "0008_pending_email", 9 "0009_retention_indexes", 10 "0010_account_changes", 11 "0011_outbox_provider_attempts", 12 "0012_session_origins", 13 "0013_account_deletion")
}

pub(crate) fn postgres() -> Migrator {
    migrations!("postgres": 1 "0001_users", 2 "0002_outbox", 3 "0003_audit_events", 4 "0004_revoked_access_tokens", 5 "0005_refresh_tokens", 6 "0006_outbox_links", 7 "0007_oauth_identities", 8 "0008_pending_email", 9 "0009_retention_indexes", 10 "0010_account_changes", 11 "0011_outbox_provider_attempts", 12 "0012_session_origins", 13 "0013_account_deletion")
}
