//! The contract of the refresh-token store, on SQLite and PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use application::ports::{RefreshTokenStore, Rotation, UserRepository};
use chrono::Utc;
use domain::{NewUser, UserId};
use security::ServiceSecret;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    store: Arc<dyn RefreshTokenStore>,
    users: Arc<dyn UserRepository>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self {
            store: fresh.database.refresh_tokens(&ServiceSecret::from(b"contract-suite-secret")),
            users: fresh.database.users(),
            fresh,
        }
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
    suite: "refresh_token_store",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_token_rotates_into_a_successor_that_rotates_in_turn,
        a_rotated_token_is_exchanged_again_within_the_grace_period,
        a_rotated_token_presented_after_the_grace_period_is_reported_reused,
        a_revoked_family_accepts_none_of_its_tokens,
        unknown_and_expired_tokens_are_invalid,
        revoking_a_user_or_a_family_by_token_respects_ownership,
        concurrent_rotations_within_the_grace_period_all_get_the_one_successor,
        a_family_keeps_a_bounded_number_of_members,
        no_successor_outlives_a_revocation_that_races_rotations,
    ]
);

const DAY: Duration = Duration::from_secs(86_400);
/// A reuse grace no busy machine outlasts between two rotations of one test.
const GRACE: Duration = Duration::from_secs(10);
/// A grace short enough for a test to wait past it.
const SHORT_GRACE: Duration = Duration::from_millis(300);

async fn user(f: &Fixture, name: &str) -> UserId {
    let new = NewUser {
        username: name.into(),
        mobile: None,
        email: None,
        email_active: false,
        password_hash: None,
        date_joined: Utc::now(),
    };
    f.users.insert(new).await.unwrap().id
}

fn successor(rotation: Rotation) -> String {
    match rotation {
        Rotation::Rotated { token, .. } => token,
        other => panic!("expected a rotation, got {other:?}"),
    }
}

async fn a_token_rotates_into_a_successor_that_rotates_in_turn(f: Fixture) {
    let id = user(&f, "alice").await;
    let first = f.store.create(id, DAY).await.unwrap();
    assert_eq!(first.len(), 64, "256 bits, hex");
    let rotation = f.store.rotate(&first, GRACE, DAY, &crate::refresh_origin()).await.unwrap();
    assert!(matches!(&rotation, Rotation::Rotated { user, .. } if *user == id));
    let second = successor(rotation);
    assert_ne!(second, first);
    let third = successor(f.store.rotate(&second, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    assert_ne!(third, second);
}

async fn a_rotated_token_is_exchanged_again_within_the_grace_period(f: Fixture) {
    let id = user(&f, "alice").await;
    let first = f.store.create(id, DAY).await.unwrap();
    let tab_one = successor(f.store.rotate(&first, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    let tab_two = successor(f.store.rotate(&first, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    assert_eq!(tab_one, tab_two, "the successor already minted, not a second member");
    assert_eq!(f.fresh.rows("refresh_tokens").await, 2, "the reuse wrote nothing");
    let third = successor(f.store.rotate(&tab_one, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    assert_eq!(successor(f.store.rotate(&tab_two, GRACE, DAY, &crate::refresh_origin()).await.unwrap()), third);
}

async fn a_rotated_token_presented_after_the_grace_period_is_reported_reused(f: Fixture) {
    let id = user(&f, "alice").await;
    let first = f.store.create(id, DAY).await.unwrap();
    successor(f.store.rotate(&first, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    tokio::time::sleep(SHORT_GRACE + Duration::from_millis(100)).await;
    match f.store.rotate(&first, SHORT_GRACE, DAY, &crate::refresh_origin()).await.unwrap() {
        Rotation::Reused { user, family } => assert_eq!((user, family.is_empty()), (id, false)),
        other => panic!("expected reuse, got {other:?}"),
    }
}

async fn a_revoked_family_accepts_none_of_its_tokens(f: Fixture) {
    let id = user(&f, "alice").await;
    let first = f.store.create(id, DAY).await.unwrap();
    let second = successor(f.store.rotate(&first, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    tokio::time::sleep(SHORT_GRACE + Duration::from_millis(100)).await;
    let Rotation::Reused { family, .. } =
        f.store.rotate(&first, SHORT_GRACE, DAY, &crate::refresh_origin()).await.unwrap()
    else {
        panic!()
    };
    let other_session = f.store.create(id, DAY).await.unwrap();
    f.store.revoke_family(&family).await.unwrap();
    assert_eq!(f.store.rotate(&second, GRACE, DAY, &crate::refresh_origin()).await.unwrap(), Rotation::Invalid);
    assert_eq!(f.store.rotate(&first, SHORT_GRACE, DAY, &crate::refresh_origin()).await.unwrap(), Rotation::Invalid);
    successor(f.store.rotate(&other_session, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
}

async fn unknown_and_expired_tokens_are_invalid(f: Fixture) {
    let id = user(&f, "alice").await;
    assert_eq!(f.store.rotate(&"0".repeat(64), GRACE, DAY, &crate::refresh_origin()).await.unwrap(), Rotation::Invalid);
    let short_lived = f.store.create(id, Duration::from_millis(50)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(f.store.rotate(&short_lived, GRACE, DAY, &crate::refresh_origin()).await.unwrap(), Rotation::Invalid);
}

async fn revoking_a_user_or_a_family_by_token_respects_ownership(f: Fixture) {
    let alice = user(&f, "alice").await;
    let bobby = user(&f, "bobby").await;
    let alices = f.store.create(alice, DAY).await.unwrap();
    let bobbys = f.store.create(bobby, DAY).await.unwrap();
    // Alice cannot revoke Bobby's session by presenting his token.
    f.store.revoke_family_of(alice, &bobbys).await.unwrap();
    let bobbys = successor(f.store.rotate(&bobbys, GRACE, DAY, &crate::refresh_origin()).await.unwrap());
    f.store.revoke_family_of(bobby, &bobbys).await.unwrap();
    assert_eq!(f.store.rotate(&bobbys, GRACE, DAY, &crate::refresh_origin()).await.unwrap(), Rotation::Invalid);
    let second_alice_session = f.store.create(alice, DAY).await.unwrap();
    f.store.revoke_user(alice).await.unwrap();
    assert_eq!(f.store.rotate(&alices, GRACE, DAY, &crate::refresh_origin()).await.unwrap(), Rotation::Invalid);
    assert_eq!(
        f.store.rotate(&second_alice_session, GRACE, DAY, &crate::refresh_origin()).await.unwrap(),
        Rotation::Invalid
    );
}

async fn concurrent_rotations_within_the_grace_period_all_get_the_one_successor(f: Fixture) {
    let id = user(&f, "alice").await;
    let token = f.store.create(id, DAY).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, token) = (f.store.clone(), token.clone());
            tokio::spawn(async move {
                store.rotate(&token, Duration::from_secs(10), DAY, &crate::refresh_origin()).await.unwrap()
            })
        })
        .collect();
    let mut successors = std::collections::HashSet::new();
    for task in tasks {
        successors.insert(successor(task.await.unwrap()));
    }
    assert_eq!(successors.len(), 1, "{successors:?}");
    assert_eq!(f.fresh.rows("refresh_tokens").await, 2);
}

async fn a_family_keeps_a_bounded_number_of_members(f: Fixture) {
    let id = user(&f, "alice").await;
    let mut token = f.store.create(id, DAY).await.unwrap();
    for _ in 0..30 {
        token = successor(f.store.rotate(&token, Duration::ZERO, DAY, &crate::refresh_origin()).await.unwrap());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let rows = f.fresh.rows("refresh_tokens").await;
    assert!(rows <= 9, "{rows} members kept of 31");
    successor(f.store.rotate(&token, Duration::ZERO, DAY, &crate::refresh_origin()).await.unwrap());
}

/// Four clients holding one stolen token rotate it over and over while the
/// owner's sign-out everywhere runs: once the revocation has answered, no
/// successor any of them obtained works, however the rotations interleaved.
async fn no_successor_outlives_a_revocation_that_races_rotations(f: Fixture) {
    let id = user(&f, "alice").await;
    for _round in 0..5 {
        let stolen = f.store.create(id, DAY).await.unwrap();
        let rotators: Vec<_> = (0..4)
            .map(|_| {
                let (store, mut token) = (f.store.clone(), stolen.clone());
                tokio::spawn(async move {
                    let mut obtained = Vec::new();
                    while let Ok(Rotation::Rotated { token: next, .. }) =
                        store.rotate(&token, Duration::from_secs(10), DAY, &crate::refresh_origin()).await
                    {
                        obtained.push(next.clone());
                        token = next;
                        if obtained.len() > 200 {
                            break;
                        }
                    }
                    obtained
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        f.store.revoke_user(id).await.unwrap();
        for rotator in rotators {
            for token in rotator.await.unwrap() {
                assert_eq!(
                    f.store.rotate(&token, Duration::from_secs(10), DAY, &crate::refresh_origin()).await.unwrap(),
                    Rotation::Invalid
                );
            }
        }
    }
}
