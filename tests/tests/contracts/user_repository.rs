//! The contract every `UserRepository` keeps, run against each implementation
//! on a fresh database per test.

use std::sync::Arc;

use application::Field;
use application::ports::{RepoError, UserRepository};
use chrono::{DateTime, Utc};
use domain::{Email, LoginIdentifier, Mobile, NewUser, UserId};

use crate::{FreshDatabase, fresh_postgres, fresh_sqlite};

struct Fresh {
    repo: Arc<dyn UserRepository>,
    _fresh: FreshDatabase,
}

async fn sqlite(_test: &str) -> Option<Fresh> {
    let fresh = fresh_sqlite().await?;
    Some(Fresh { repo: fresh.database.users(), _fresh: fresh })
}

async fn postgres(test: &str) -> Option<Fresh> {
    let fresh = fresh_postgres(test).await?;
    Some(Fresh { repo: fresh.database.users(), _fresh: fresh })
}

fn joined() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap()
}

fn new_user(username: &str, mobile: Option<&str>, email: Option<&str>) -> NewUser {
    NewUser {
        username: username.into(),
        mobile: mobile.map(|m| Mobile::parse(m).unwrap()),
        email: email.map(|e| Email::parse(e).unwrap()),
        email_active: false,
        password_hash: Some("$argon2id$hash".into()),
        date_joined: joined(),
    }
}

contract_suite!(
    suite: "user_repository",
    backends: [sqlite, postgres],
    tests: [
        inserts_and_finds_by_every_key,
        reports_which_unique_value_is_taken,
        answers_existence_questions,
        concurrent_inserts_of_one_username_give_one_row,
        profile_last_login_and_password_hash_are_updated,
        a_user_registered_with_an_email_code_starts_verified,
        a_mobile_is_set_unless_another_account_has_it,
    ]
);

async fn inserts_and_finds_by_every_key(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let user = repo.insert(new_user("Alice", Some("13800138000"), Some("alice@example.com"))).await.unwrap();
    assert!(user.id.0 > 0);
    assert_eq!(user.username, "Alice");
    assert_eq!(user.date_joined, joined());
    assert_eq!(user.token_version, 0);
    assert!(!user.email_active);
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
        (new_user("ALICE", None, None), Field::Username),
        (new_user("bob01", Some("13800138000"), None), Field::Mobile),
        (new_user("carol", None, Some("ALICE@example.com")), Field::Email),
    ];
    for (user, field) in cases {
        assert_eq!(repo.insert(user).await.unwrap_err(), RepoError::Conflict(field));
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
            Err(error) => assert_eq!(error, RepoError::Conflict(Field::Username)),
        }
    }
    assert_eq!(created, 1);
}

async fn profile_last_login_and_password_hash_are_updated(fresh: Fresh) {
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

    repo.record_login(user.id, joined()).await.unwrap();
    repo.update_password_hash(user.id, "$argon2id$new").await.unwrap();
    let reloaded = repo.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!((reloaded.last_login, reloaded.password_hash.as_deref()), (Some(joined()), Some("$argon2id$new")));
}

async fn a_user_registered_with_an_email_code_starts_verified(fresh: Fresh) {
    let repo = fresh.repo.clone();
    let user = repo
        .insert(NewUser { email_active: true, ..new_user("carol", None, Some("carol@example.com")) })
        .await
        .unwrap();
    assert!(user.email_active);
    assert!(repo.find_by_id(user.id).await.unwrap().unwrap().email_active);
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
    assert_eq!(repo.set_mobile(alice.id, &taken).await.unwrap_err(), RepoError::Conflict(Field::Mobile));
    assert_eq!(repo.set_mobile(UserId(alice.id.0 + 1000), &Mobile::parse("13700137000").unwrap()).await.unwrap(), None);
}
