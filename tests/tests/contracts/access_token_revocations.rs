//! The contract of the access-token revocation store, on SQLite and PostgreSQL.

use std::sync::Arc;

use application::REVOCATION_RETENTION_MARGIN;
use application::ports::{AccessTokenRevocations, UserRepository};
use chrono::{TimeDelta, Utc};
use domain::{NewUser, UserId};

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    revocations: Arc<dyn AccessTokenRevocations>,
    users: Arc<dyn UserRepository>,
    _fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self { revocations: fresh.database.access_token_revocations(), users: fresh.database.users(), _fresh: fresh }
    }
}

async fn sqlite(_test: &str) -> Option<Fixture> {
    fresh_sqlite().await.map(Fixture::from)
}

async fn postgres(test: &str) -> Option<Fixture> {
    fresh_postgres(test).await.map(Fixture::from)
}

/// Through PgBouncer in transaction mode.
async fn pooled_postgres(test: &str) -> Option<Fixture> {
    fresh_pooled_postgres(test).await.map(Fixture::from)
}

contract_suite!(
    suite: "access_token_revocations",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_logged_out_token_is_revoked_and_others_are_not,
        revocations_of_tokens_expired_within_the_margin_survive_a_revocation,
        revoking_all_bumps_the_version,
        a_missing_user_has_no_standing,
        a_revoked_session_revokes_its_tokens_and_no_others,
    ]
);

async fn user(f: &Fixture) -> UserId {
    let new = NewUser {
        username: "alice".into(),
        mobile: None,
        email: None,
        email_active: false,
        password_hash: None,
        date_joined: Utc::now(),
    };
    f.users.insert(new).await.unwrap().id
}

async fn a_logged_out_token_is_revoked_and_others_are_not(f: Fixture) {
    let id = user(&f).await;
    let until = Utc::now() + TimeDelta::hours(1);
    f.revocations.revoke(id, "jti-1", until).await.unwrap();
    // Revoking twice is harmless.
    f.revocations.revoke(id, "jti-1", until).await.unwrap();
    let revoked = f.revocations.standing(id, "jti-1", None).await.unwrap().unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked.user.token_version, 0);
    let current = f.revocations.standing(id, "jti-2", None).await.unwrap().unwrap();
    assert!(!current.revoked);
    // The account comes with the standing, as the repository reads it: no second lookup is needed.
    assert_eq!(Some(current.user), f.users.find_by_id(id).await.unwrap());
}

/// Each revocation drops the entries that protect nothing any more on its way, but only
/// those whose token expired longer than the margin ago.
async fn revocations_of_tokens_expired_within_the_margin_survive_a_revocation(f: Fixture) {
    let id = user(&f).await;
    let margin = TimeDelta::from_std(REVOCATION_RETENTION_MARGIN).unwrap();
    let now = Utc::now();
    f.revocations.revoke(id, "jti-within", now - margin + TimeDelta::seconds(5)).await.unwrap();
    f.revocations.revoke(id, "jti-just", now - TimeDelta::milliseconds(1)).await.unwrap();
    f.revocations.revoke(id, "jti-beyond", now - margin - TimeDelta::seconds(5)).await.unwrap();

    f.revocations.revoke(id, "jti-live", now + TimeDelta::hours(1)).await.unwrap();

    for kept in ["jti-within", "jti-just", "jti-live"] {
        assert!(f.revocations.standing(id, kept, None).await.unwrap().unwrap().revoked, "{kept}");
    }
    assert!(!f.revocations.standing(id, "jti-beyond", None).await.unwrap().unwrap().revoked);
}

async fn revoking_all_bumps_the_version(f: Fixture) {
    let id = user(&f).await;
    assert_eq!(f.revocations.revoke_all(id).await.unwrap(), 1);
    assert_eq!(f.revocations.revoke_all(id).await.unwrap(), 2);
    assert_eq!(f.revocations.standing(id, "any", None).await.unwrap().map(|s| s.user.token_version), Some(2));
    assert_eq!(f.users.find_by_id(id).await.unwrap().map(|u| u.token_version), Some(2));
}

async fn a_missing_user_has_no_standing(f: Fixture) {
    assert_eq!(f.revocations.standing(UserId(4242), "jti", None).await.unwrap(), None);
    assert!(f.revocations.revoke_all(UserId(4242)).await.is_err());
}

async fn a_revoked_session_revokes_its_tokens_and_no_others(f: Fixture) {
    let id = user(&f).await;
    let until = Utc::now() + TimeDelta::hours(1);
    f.revocations.revoke_session(id, "fam-1", until).await.unwrap();
    for token in ["jti-a", "jti-b"] {
        assert!(f.revocations.standing(id, token, Some("fam-1")).await.unwrap().unwrap().revoked, "{token}");
    }
    assert!(!f.revocations.standing(id, "jti-a", Some("fam-2")).await.unwrap().unwrap().revoked, "another session");
    assert!(!f.revocations.standing(id, "jti-a", None).await.unwrap().unwrap().revoked, "a token without a session");
    assert!(!f.revocations.standing(id, "fam-1", None).await.unwrap().unwrap().revoked, "a token id is not a session");
    // Revoked again, reaching further: kept to the later expiry.
    f.revocations.revoke_session(id, "fam-1", until + TimeDelta::hours(1)).await.unwrap();
    f.revocations.revoke_session(id, "fam-1", until - TimeDelta::hours(1)).await.unwrap();
    assert!(f.revocations.standing(id, "jti-c", Some("fam-1")).await.unwrap().unwrap().revoked);
}
