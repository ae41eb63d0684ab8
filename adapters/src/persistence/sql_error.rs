use application::Field;
use application::ports::RepoError;

/// Turns a sqlx error into the repository port's error: unique violations
/// become conflicts on the field they protect, lost connections and pool
/// timeouts become "unavailable", the rest is an internal error.
pub(crate) fn repo_error(error: sqlx::Error) -> RepoError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let names = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
            match conflicting_field(&names) {
                Some(field) => RepoError::Conflict(field),
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

/// Which field a unique constraint protects, read from the constraint name
/// (PostgreSQL: `users_username_key`) or the message (SQLite: `UNIQUE constraint failed: users.username`).
/// A provider identity bound already conflicts on the bind token's field; it is
/// looked for first so that no column name of another table can shadow it.
fn conflicting_field(names: &str) -> Option<Field> {
    [
        ("oauth_identities_identity_key", Field::AccessToken),
        ("oauth_identities.openid", Field::AccessToken),
        ("username", Field::Username),
        ("mobile", Field::Mobile),
        ("email", Field::Email),
    ]
    .into_iter()
    .find(|(name, _)| names.contains(name))
    .map(|(_, field)| field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_field_from_either_backend_s_wording() {
        assert_eq!(conflicting_field("users_username_key duplicate key"), Some(Field::Username));
        assert_eq!(conflicting_field(" UNIQUE constraint failed: users.mobile"), Some(Field::Mobile));
        assert_eq!(conflicting_field("users_email_key"), Some(Field::Email));
        assert_eq!(conflicting_field("oauth_identities_identity_key duplicate key"), Some(Field::AccessToken));
        assert_eq!(
            conflicting_field(
                " UNIQUE constraint failed: oauth_identities.provider, oauth_identities.app_id, oauth_identities.openid"
            ),
            Some(Field::AccessToken)
        );
        assert_eq!(conflicting_field("other_key"), None);
    }
}
