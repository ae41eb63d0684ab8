//! Accounts as a store would return them, for tests that need a `User` and
//! care only about a field or two of it.

use domain::{Profile, User, UserId};

/// User `id`, named `user<id>`, with no mobile, email or password, joined at
/// the epoch (a fixed time, so that two calls compare equal).
pub fn account(id: i64) -> User {
    User {
        id: UserId(id),
        username: format!("user{id}"),
        mobile: None,
        email: None,
        pending_email: None,
        password_hash: None,
        profile: Profile::default(),
        date_joined: chrono::DateTime::UNIX_EPOCH,
        last_login: None,
        token_version: 0,
    }
}
