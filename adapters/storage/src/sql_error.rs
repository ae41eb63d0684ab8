use application::ports::{RepoError, UniqueKey};

/// Turns a sqlx error into the repository port's error: unique violations
/// become conflicts on the unique key they protect, lost connections and pool
/// timeouts become "unavailable", the rest is an internal error.
pub(crate) fn repo_error(error: sqlx::Error) -> RepoError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let names = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            match violated_key(&names) {
                Some(key) => RepoError::Conflict(key),
                None => RepoError::Other(error.to_string()),
            }
        }
        // SQLite answers "database is locked" (code 5, SQLITE_BUSY) when a
        // writer holds the file longer than the busy timeout.
        sqlx::Error::Database(db) if db.code().as_deref() == Some("5") => RepoError::Unavailable(error.to_string()),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => RepoError::Unavailable(error.to_string()),
        _ => RepoError::Other(error.to_string()),
    }
}

/// Which unique key a constraint protects, read from the constraint name
/// (PostgreSQL: `users_username_key`) or the message (SQLite: `UNIQUE constraint failed: users.username`).
/// A provider identity is looked for first so that no column name of another
/// table can shadow it.
fn violated_key(names: &str) -> Option<UniqueKey> {
    [
        ("oauth_identities_identity_key", UniqueKey::Identity),
        ("oauth_identities.openid", UniqueKey::Identity),
        ("username", UniqueKey::Username),
        ("mobile", UniqueKey::Mobile),
        ("email", UniqueKey::Email),
    ]
    .into_iter()
    .find(|(name, _)| names.contains(name))
    .map(|(_, key)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_unique_key_from_either_backend_s_wording() {
        assert_eq!(violated_key("users_username_key duplicate key"), Some(UniqueKey::Username));
        assert_eq!(violated_key(" UNIQUE constraint failed: users.mobile"), Some(UniqueKey::Mobile));
        assert_eq!(violated_key("users_email_key"), Some(UniqueKey::Email));
        assert_eq!(violated_key("oauth_identities_identity_key duplicate key"), Some(UniqueKey::Identity));
        assert_eq!(
            violated_key(
                " UNIQUE constraint failed: oauth_identities.provider, oauth_identities.app_id, oauth_identities.openid"
            ),
            Some(UniqueKey::Identity)
        );
        assert_eq!(violated_key("other_key"), None);
    }
}
