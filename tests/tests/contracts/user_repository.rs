//! The contract every `UserRepository` keeps, run against each implementation
//! on a fresh database per test.

use std::sync::Arc;

use application::ports::{RepoError, UniqueKey, UserRepository};
use application::ports::{TakenNameRow, TakenNameSource};
use chrono::{DateTime, Utc};
use domain::{Email, LoginIdentifier, Mobile, NewUser, UserId};

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fresh {
    repo: Arc<dyn UserRepository>,
    taken_names: Arc<dyn TakenNameSource>,
    _database: FreshDatabase,
}

async fn sqlite(_test: &str) -> Option<Fresh> {
    let fresh = fresh_sqlite().await?;
    Some(Fresh { repo: fresh.database.users(), taken_names: fresh.database.taken_names(), _database: fresh })
}

async fn postgres(test: &str) -> Option<Fresh> {
    let fresh = fresh_postgres(test).await?;
    Some(Fresh { repo: fresh.database.users(), taken_names: fresh.database.taken_names(), _database: fresh })
}

/// Through PgBouncer in transaction mode.
async fn pooled_postgres(test: &str) -> Option<Fresh> {
    let fresh = fresh_pooled_postgres(test).await?;
    Some(Fresh { repo: fresh.database.users(), taken_names: fresh.database.taken_names(), _database: fresh })
}

fn joined() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap()
}

/// A user whose `email`, if any, is verified (registered with an email code).
fn new_user(username: &str, mobile: Option<&str>, email: Option<&str>) -> NewUser {
    NewUser {
        username: username.into(),
        mobile: mobile.map(|m| Mobile::parse(m).unwrap()),
        email: email.map(|e| Email::parse(e).unwrap()),
        email_active: email.is_some(),
        password_hash: Some("$argon2id$hash".into()),
        date_joined: joined(),
    }
}

contract_suite!(
    suite: "user_repository",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        inserts_and_finds_by_every_key,
        reports_which_unique_value_is_taken,
        answers_existence_questions,
        concurrent_inserts_of_one_username_give_one_row,
        profile_and_password_hash_are_updated,
        an_unproven_email_waits_as_pending_and_blocks_nobody,
        verifying_makes_the_pending_address_the_verified_one,
        a_link_from_before_a_password_reset_verifies_nothing,
        two_accounts_racing_to_verify_one_address_give_one_winner,
        going_back_discards_the_pending_address,
        a_mobile_is_set_unless_another_account_has_it,
        the_taken_names_are_read_in_pages_with_verified_emails_only,
    ]
);

async fn inserts_and_finds_by_every_key(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let user = repo.insert(new_user("Alice", Some("13800138000"), Some("alice@example.com"))).await.unwrap();
    assert!(user.id.0 > 0);
    assert_eq!(user.username, "Alice");
    assert_eq!(user.date_joined, joined());
    assert_eq!(user.token_version, 0);
    assert_eq!(user.pending_email, None);
    assert_eq!(user.password_hash.as_deref(), Some("$argon2id$hash"));

    assert_eq!(repo.find_by_id(user.id).await.unwrap().as_ref(), Some(&user));
    assert_eq!(repo.find_by_id(UserId(user.id.0 + 1000)).await.unwrap(), None);
    for identifier in [
        LoginIdentifier::Username("alice".into()),
        LoginIdentifier::Username("ALICE".into()),
        LoginIdentifier::Mobile(Mobile::parse("13800138000").unwrap()),
        LoginIdentifier::Email(Email::parse("Alice@Example.com").unwrap()),
    ] {
        assert_eq!(repo.find_by_login(&identifier).await.unwrap().map(|u| u.id), Some(user.id), "{identifier:?}");
    }
    let nobody = LoginIdentifier::Username("bob".into());
    assert_eq!(repo.find_by_login(&nobody).await.unwrap(), None);
}

async fn reports_which_unique_value_is_taken(fresh: Fresh) {
    let repo = fresh.repo.clone();
    repo.insert(new_user("alice", Some("13800138000"), Some("alice@example.com"))).await.unwrap();
    let cases = [
        (new_user("ALICE", None, None), UniqueKey::Username),
        (new_user("bob01", Some("13800138000"), None), UniqueKey::Mobile),
        (new_user("carol", None, Some("ALICE@example.com")), UniqueKey::Email),
    ];
    for (user, key) in cases {
        assert_eq!(repo.insert(user).await.unwrap_err(), RepoError::Conflict(key));
    }
    // Accounts without mobile or email do not collide with each other.
    repo.insert(new_user("dave1", None, None)).await.unwrap();
    repo.insert(new_user("erin1", None, None)).await.unwrap();
}

async fn answers_existence_questions(fresh: Fresh) {
    let repo = fresh.repo.clone();
    repo.insert(new_user("alice", Some("13800138000"), Some("alice@example.com"))).await.unwrap();
    assert!(repo.username_exists("alice").await.unwrap());
    assert!(repo.username_exists("AliCe").await.unwrap());
    assert!(!repo.username_exists("alic").await.unwrap());
    assert!(repo.mobile_exists(&Mobile::parse("13800138000").unwrap()).await.unwrap());
    assert!(!repo.mobile_exists(&Mobile::parse("13900139000").unwrap()).await.unwrap());
    assert!(repo.email_exists(&Email::parse("alice@example.com").unwrap()).await.unwrap());
    assert!(!repo.email_exists(&Email::parse("bob@example.com").unwrap()).await.unwrap());
}

async fn concurrent_inserts_of_one_username_give_one_row(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let repo = repo.clone();
            tokio::spawn(async move { repo.insert(new_user("racer", Some(&format!("139{i:08}")), None)).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(error) => assert_eq!(error, RepoError::Conflict(UniqueKey::Username)),
        }
    }
    assert_eq!(created, 1);
}

async fn profile_and_password_hash_are_updated(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let user = repo.insert(new_user("alice", Some("13800138000"), None)).await.unwrap();
    let profile = domain::Profile {
        nickname: Some("小明".into()),
        avatar: Some("https://img.example.com/a.png".into()),
        gender: domain::Gender::Female,
        birthday: chrono::NaiveDate::from_ymd_opt(1990, 5, 17),
        address: Some("北京".into()),
        signature: None,
    };
    let updated = repo.update_profile(user.id, &profile).await.unwrap().unwrap();
    assert_eq!(updated.profile, profile);
    assert_eq!(repo.find_by_id(user.id).await.unwrap().unwrap().profile, profile);
    assert_eq!(repo.update_profile(UserId(user.id.0 + 1000), &profile).await.unwrap(), None);

    repo.update_password_hash(user.id, "$argon2id$new").await.unwrap();
    let reloaded = repo.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(reloaded.password_hash.as_deref(), Some("$argon2id$new"));
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

/// An account with `pending` waiting for its link (as `PUT /email/` leaves it).
async fn with_pending(repo: &Arc<dyn UserRepository>, username: &str, pending: &str) -> domain::User {
    repo.insert(NewUser { email_active: false, ..new_user(username, None, Some(pending)) }).await.unwrap()
}

async fn an_unproven_email_waits_as_pending_and_blocks_nobody(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let squatter = with_pending(&repo, "mallory", "victim@example.com").await;
    assert_eq!((squatter.email, squatter.pending_email), (None, Some(email("victim@example.com"))));
    assert!(!repo.email_exists(&email("victim@example.com")).await.unwrap());
    let by_email = LoginIdentifier::Email(email("victim@example.com"));
    assert_eq!(repo.find_by_login(&by_email).await.unwrap(), None);
    // Two accounts may wait for one address, and its owner still registers with it.
    with_pending(&repo, "mallory2", "victim@example.com").await;
    let owner = repo.insert(new_user("victim", None, Some("victim@example.com"))).await.unwrap();
    assert_eq!((owner.email, owner.pending_email), (Some(email("victim@example.com")), None));
    assert!(repo.email_exists(&email("victim@example.com")).await.unwrap());
    assert_eq!(repo.find_by_login(&by_email).await.unwrap().map(|u| u.id), Some(owner.id));
}

async fn verifying_makes_the_pending_address_the_verified_one(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let carol = with_pending(&repo, "carol", "carol@example.com").await;
    assert!(!repo.activate_email(carol.id, &email("other@example.com"), 0).await.unwrap());
    assert!(repo.activate_email(carol.id, &email("carol@example.com"), 0).await.unwrap());
    let verified = repo.find_by_id(carol.id).await.unwrap().unwrap();
    assert_eq!((verified.email, verified.pending_email), (Some(email("carol@example.com")), None));
    assert!(repo.email_exists(&email("carol@example.com")).await.unwrap());
    // The link opened again is harmless; an unknown user verifies nothing.
    assert!(repo.activate_email(carol.id, &email("carol@example.com"), 0).await.unwrap());
    assert!(!repo.activate_email(UserId(carol.id.0 + 1000), &email("carol@example.com"), 0).await.unwrap());
}

async fn a_link_from_before_a_password_reset_verifies_nothing(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let dave = with_pending(&repo, "dave1", "dave@example.com").await;
    assert!(!repo.activate_email(dave.id, &email("dave@example.com"), dave.token_version - 1).await.unwrap());
    assert!(!repo.activate_email(dave.id, &email("dave@example.com"), dave.token_version + 1).await.unwrap());
    let unchanged = repo.find_by_id(dave.id).await.unwrap().unwrap();
    assert_eq!((unchanged.email, unchanged.pending_email), (None, Some(email("dave@example.com"))));
}

async fn two_accounts_racing_to_verify_one_address_give_one_winner(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let mut racers = Vec::new();
    for i in 0..8 {
        racers.push(with_pending(&repo, &format!("racer{i}"), "prize@example.com").await.id);
    }
    let tasks: Vec<_> = racers
        .iter()
        .map(|id| {
            let (repo, id) = (repo.clone(), *id);
            tokio::spawn(async move { repo.activate_email(id, &email("prize@example.com"), 0).await })
        })
        .collect();
    let mut winners = Vec::new();
    for (task, id) in tasks.into_iter().zip(&racers) {
        match task.await.unwrap() {
            Ok(true) => winners.push(*id),
            other => assert_eq!(other, Err(RepoError::Conflict(UniqueKey::Email))),
        }
    }
    assert_eq!(winners.len(), 1);
    let by_email = LoginIdentifier::Email(email("prize@example.com"));
    assert_eq!(repo.find_by_login(&by_email).await.unwrap().map(|u| u.id), Some(winners[0]));
}

async fn going_back_discards_the_pending_address(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let erin = with_pending(&repo, "erin1", "erin@example.com").await;
    let back = repo.discard_pending_email(erin.id).await.unwrap().unwrap();
    assert_eq!((back.email, back.pending_email), (None, None));
    assert!(!repo.activate_email(erin.id, &email("erin@example.com"), 0).await.unwrap());
    assert_eq!(repo.discard_pending_email(UserId(erin.id.0 + 1000)).await.unwrap(), None);
}

async fn a_mobile_is_set_unless_another_account_has_it(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let alice = repo.insert(new_user("alice", None, None)).await.unwrap();
    repo.insert(new_user("bob_1", Some("13900139000"), None)).await.unwrap();
    let mobile = Mobile::parse("13800138000").unwrap();
    let updated = repo.set_mobile(alice.id, &mobile).await.unwrap().unwrap();
    assert_eq!(updated.mobile, Some(mobile.clone()));
    assert_eq!(repo.find_by_login(&LoginIdentifier::Mobile(mobile)).await.unwrap().map(|u| u.id), Some(alice.id));
    let taken = Mobile::parse("13900139000").unwrap();
    assert_eq!(repo.set_mobile(alice.id, &taken).await.unwrap_err(), RepoError::Conflict(UniqueKey::Mobile));
    assert_eq!(repo.set_mobile(UserId(alice.id.0 + 1000), &Mobile::parse("13700137000").unwrap()).await.unwrap(), None);
}

async fn the_taken_names_are_read_in_pages_with_verified_emails_only(fresh: Fresh) {
    let repo = fresh.repo.clone();
    assert_eq!(fresh.taken_names.count().await.unwrap(), 0);
    assert_eq!(fresh.taken_names.page(0, 10).await.unwrap(), vec![]);
    let alice = repo.insert(new_user("Alice", Some("13800138000"), Some("alice@example.com"))).await.unwrap();
    let bob = repo.insert(new_user("bob_2", None, None)).await.unwrap();
    let pending = NewUser { email_active: false, ..new_user("carol_3", None, Some("carol@example.com")) };
    let carol = repo.insert(pending).await.unwrap();

    assert_eq!(fresh.taken_names.count().await.unwrap(), 3);
    let row = |id: UserId, username: &str, mobile: Option<&str>, email: Option<&str>| TakenNameRow {
        id: id.0,
        username: username.into(),
        mobile: mobile.map(Into::into),
        email: email.map(Into::into),
    };
    let first = fresh.taken_names.page(0, 2).await.unwrap();
    assert_eq!(
        first,
        vec![row(alice.id, "Alice", Some("13800138000"), Some("alice@example.com")), row(bob.id, "bob_2", None, None)]
    );
    let rest = fresh.taken_names.page(bob.id.0, 2).await.unwrap();
    assert_eq!(rest, vec![row(carol.id, "carol_3", None, None)], "a pending address is taken by nobody");
    assert_eq!(fresh.taken_names.page(carol.id.0, 2).await.unwrap(), vec![]);
}
