//! The contract of the OAuth identity repository, on SQLite and PostgreSQL.

use std::sync::Arc;

use application::ports::{
    BoundIdentity, IdentityKey, NewIdentity, OAuthIdentityRepository, OAuthProvider, RepoError, Unbinding, UniqueKey,
    UserRepository,
};
use chrono::{DateTime, Duration, Utc};
use domain::{Email, LoginIdentifier, Mobile, NewUser, UserId};
use storage::Database;

use crate::{FreshDatabase, fresh_pooled_postgres, fresh_postgres, fresh_sqlite};

struct Fixture {
    identities: Arc<dyn OAuthIdentityRepository>,
    users: Arc<dyn UserRepository>,
    fresh: FreshDatabase,
}

impl From<FreshDatabase> for Fixture {
    fn from(fresh: FreshDatabase) -> Self {
        Self { identities: fresh.database.oauth_identities(), users: fresh.database.users(), fresh }
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
    suite: "oauth_identity_repository",
    backends: [sqlite, postgres, pooled_postgres],
    tests: [
        a_bound_identity_is_found_with_its_user_unionid_and_time,
        the_same_openid_under_another_app_or_provider_is_another_identity,
        binding_an_identity_bound_already_conflicts,
        a_new_user_is_created_with_its_identity,
        an_identity_bound_already_creates_no_user,
        a_taken_username_mobile_or_email_binds_nothing,
        concurrent_sign_ups_with_one_identity_create_one_user,
        a_unionid_finds_the_oldest_binding_within_the_providers_asked_about,
        a_user_s_identities_are_listed_oldest_first,
        unbinding_removes_one_provider_s_identities_and_counts_them,
        with_a_password_the_last_provider_can_go,
        concurrent_unbindings_never_leave_an_account_without_a_way_to_log_in,
        deleting_a_user_removes_their_identities,
    ]
);

/// An instant with microseconds, which both backends keep exactly.
fn at(seconds_later: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap() + Duration::seconds(seconds_later)
}

fn key(provider: OAuthProvider, app_id: &str, openid: &str) -> IdentityKey {
    IdentityKey { provider, app_id: app_id.into(), openid: openid.into() }
}

fn identity(provider: OAuthProvider, app_id: &str, openid: &str, unionid: Option<&str>) -> NewIdentity {
    NewIdentity { key: key(provider, app_id, openid), unionid: unionid.map(Into::into) }
}

fn qq(openid: &str) -> NewIdentity {
    identity(OAuthProvider::Qq, "101474184", openid, None)
}

/// A user whose `email`, if any, is verified: only a verified address is unique.
fn new_user(username: &str, mobile: Option<&str>, email: Option<&str>) -> NewUser {
    NewUser {
        username: username.into(),
        mobile: mobile.map(|m| Mobile::parse(m).unwrap()),
        email: email.map(|e| Email::parse(e).unwrap()),
        email_active: email.is_some(),
        password_hash: None,
        date_joined: at(0),
    }
}

async fn user(f: &Fixture, username: &str) -> UserId {
    f.users.insert(new_user(username, None, None)).await.unwrap().id
}

async fn bound_user(f: &Fixture, key: &IdentityKey) -> Option<UserId> {
    f.identities.find(key).await.unwrap().map(|bound| bound.user_id)
}

async fn a_bound_identity_is_found_with_its_user_unionid_and_time(f: Fixture) {
    let alice = user(&f, "alice").await;
    let wechat = identity(OAuthProvider::WechatWeb, "wx-web", "o-alice", Some("u-alice"));
    f.identities.bind(&wechat, alice, at(5)).await.unwrap();
    f.identities.bind(&qq("QQ-ALICE"), alice, at(6)).await.unwrap();

    let found = f.identities.find(&wechat.key).await.unwrap();
    let expected =
        BoundIdentity { key: wechat.key.clone(), unionid: Some("u-alice".into()), user_id: alice, bound_at: at(5) };
    assert_eq!(found, Some(expected));
    let found = f.identities.find(&qq("QQ-ALICE").key).await.unwrap().unwrap();
    assert_eq!((found.unionid, found.user_id, found.bound_at), (None, alice, at(6)));
    // Openids are matched exactly.
    assert_eq!(f.identities.find(&qq("qq-alice").key).await.unwrap(), None);
    assert_eq!(f.identities.find(&qq("nobody").key).await.unwrap(), None);
}

async fn the_same_openid_under_another_app_or_provider_is_another_identity(f: Fixture) {
    let (alice, bobby, carol) = (user(&f, "alice").await, user(&f, "bobby").await, user(&f, "carol").await);
    let first = identity(OAuthProvider::WechatWeb, "app-1", "same-openid", None);
    let other_app = identity(OAuthProvider::WechatWeb, "app-2", "same-openid", None);
    let other_provider = identity(OAuthProvider::WechatMiniProgram, "app-1", "same-openid", None);
    f.identities.bind(&first, alice, at(0)).await.unwrap();
    f.identities.bind(&other_app, bobby, at(0)).await.unwrap();
    f.identities.bind(&other_provider, carol, at(0)).await.unwrap();
    assert_eq!(bound_user(&f, &first.key).await, Some(alice));
    assert_eq!(bound_user(&f, &other_app.key).await, Some(bobby));
    assert_eq!(bound_user(&f, &other_provider.key).await, Some(carol));
}

async fn binding_an_identity_bound_already_conflicts(f: Fixture) {
    let (alice, bobby) = (user(&f, "alice").await, user(&f, "bobby").await);
    f.identities.bind(&qq("openid-1"), alice, at(0)).await.unwrap();
    let conflict = Err(RepoError::Conflict(UniqueKey::Identity));
    assert_eq!(f.identities.bind(&qq("openid-1"), bobby, at(1)).await, conflict);
    // Bound to the same user again, or with a unionid now: still the one binding.
    assert_eq!(f.identities.bind(&qq("openid-1"), alice, at(1)).await, conflict);
    let with_unionid = identity(OAuthProvider::Qq, "101474184", "openid-1", Some("u-1"));
    assert_eq!(f.identities.bind(&with_unionid, bobby, at(1)).await, conflict);

    let kept = f.identities.find(&qq("openid-1").key).await.unwrap().unwrap();
    assert_eq!((kept.user_id, kept.unionid, kept.bound_at), (alice, None, at(0)));
    assert_eq!(f.identities.list_for_user(bobby).await.unwrap(), vec![]);
}

async fn a_new_user_is_created_with_its_identity(f: Fixture) {
    let wechat = identity(OAuthProvider::WechatMiniProgram, "wx-mp", "o-dave", Some("u-dave"));
    let created = f
        .identities
        .create_user_with_identity(new_user("dave_wx", Some("13800138000"), None), &wechat, at(3))
        .await
        .unwrap();
    assert!(created.id.0 > 0);
    assert_eq!(
        (created.username.as_str(), created.date_joined, created.password_hash.as_deref()),
        ("dave_wx", at(0), None)
    );
    assert_eq!(created.mobile, Some(Mobile::parse("13800138000").unwrap()));

    let stored = f.users.find_by_login(&LoginIdentifier::Username("dave_wx".into())).await.unwrap();
    assert_eq!(stored.as_ref(), Some(&created));
    let bound = f.identities.find(&wechat.key).await.unwrap().unwrap();
    assert_eq!((bound.user_id, bound.unionid.as_deref(), bound.bound_at), (created.id, Some("u-dave"), at(3)));
    assert_eq!(f.identities.find_by_unionid(&[OAuthProvider::WechatMiniProgram], "u-dave").await, Ok(Some(created.id)));
}

async fn an_identity_bound_already_creates_no_user(f: Fixture) {
    let alice = user(&f, "alice").await;
    f.identities.bind(&qq("openid-1"), alice, at(0)).await.unwrap();
    let attempt = f
        .identities
        .create_user_with_identity(
            new_user("bobby", Some("13800138000"), Some("bobby@example.com")),
            &qq("openid-1"),
            at(1),
        )
        .await;
    assert_eq!(attempt, Err(RepoError::Conflict(UniqueKey::Identity)));

    for login in [
        LoginIdentifier::Username("bobby".into()),
        LoginIdentifier::Mobile(Mobile::parse("13800138000").unwrap()),
        LoginIdentifier::Email(Email::parse("bobby@example.com").unwrap()),
    ] {
        assert_eq!(f.users.find_by_login(&login).await.unwrap(), None, "{login:?}");
    }
    assert_eq!(bound_user(&f, &qq("openid-1").key).await, Some(alice));
    // The username, mobile and email are free: the rolled-back account holds none of them.
    f.users.insert(new_user("bobby", Some("13800138000"), Some("bobby@example.com"))).await.unwrap();
}

async fn a_taken_username_mobile_or_email_binds_nothing(f: Fixture) {
    f.users.insert(new_user("alice", Some("13800138000"), Some("alice@example.com"))).await.unwrap();
    let cases = [
        (new_user("ALICE", None, None), UniqueKey::Username),
        (new_user("bobby", Some("13800138000"), None), UniqueKey::Mobile),
        (new_user("carol", None, Some("alice@example.com")), UniqueKey::Email),
    ];
    for (taken, key) in cases {
        let attempt = f.identities.create_user_with_identity(taken, &qq("openid-1"), at(1)).await;
        assert_eq!(attempt, Err(RepoError::Conflict(key)));
        assert_eq!(f.identities.find(&qq("openid-1").key).await.unwrap(), None, "{key:?}");
    }
    // Nothing was left half-done: the identity still signs up a free account.
    let created = f.identities.create_user_with_identity(new_user("bobby", None, None), &qq("openid-1"), at(2)).await;
    let created = created.unwrap();
    assert_eq!(bound_user(&f, &qq("openid-1").key).await, Some(created.id));
}

async fn concurrent_sign_ups_with_one_identity_create_one_user(f: Fixture) {
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let identities = f.identities.clone();
            tokio::spawn(async move {
                let user = new_user(&format!("racer{i}"), Some(&format!("139{i:08}")), None);
                identities.create_user_with_identity(user, &qq("contested"), at(i)).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(user) => winners.push(user.id),
            Err(error) => assert_eq!(error, RepoError::Conflict(UniqueKey::Identity)),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(bound_user(&f, &qq("contested").key).await, Some(winners[0]));
    // The losers' accounts were rolled back.
    let mut accounts = Vec::new();
    for i in 0..10 {
        let login = LoginIdentifier::Mobile(Mobile::parse(&format!("139{i:08}")).unwrap());
        accounts.extend(f.users.find_by_login(&login).await.unwrap().map(|user| user.id));
    }
    assert_eq!(accounts, winners);
}

async fn a_unionid_finds_the_oldest_binding_within_the_providers_asked_about(f: Fixture) {
    let (alice, bobby, carol) = (user(&f, "alice").await, user(&f, "bobby").await, user(&f, "carol").await);
    let wechat = [OAuthProvider::WechatMiniProgram, OAuthProvider::WechatWeb];
    let mini_program = identity(OAuthProvider::WechatMiniProgram, "wx-mp", "o-mp", Some("union-1"));
    f.identities.bind(&mini_program, alice, at(10)).await.unwrap();

    // Either WeChat app finds the person; the website alone, or QQ, does not.
    assert_eq!(f.identities.find_by_unionid(&wechat, "union-1").await, Ok(Some(alice)));
    assert_eq!(f.identities.find_by_unionid(&[OAuthProvider::WechatWeb], "union-1").await, Ok(None));
    assert_eq!(f.identities.find_by_unionid(&[OAuthProvider::Qq], "union-1").await, Ok(None));
    assert_eq!(f.identities.find_by_unionid(&wechat, "union-2").await, Ok(None));
    assert_eq!(f.identities.find_by_unionid(&[], "union-1").await, Ok(None));

    // The same unionid at an unrelated provider is someone else.
    f.identities.bind(&identity(OAuthProvider::Qq, "101474184", "o-qq", Some("union-1")), bobby, at(0)).await.unwrap();
    assert_eq!(f.identities.find_by_unionid(&[OAuthProvider::Qq], "union-1").await, Ok(Some(bobby)));
    assert_eq!(f.identities.find_by_unionid(&wechat, "union-1").await, Ok(Some(alice)));

    // Two bindings in the family: the older one answers, whatever order they were stored in.
    let website = identity(OAuthProvider::WechatWeb, "wx-web", "o-web", Some("union-1"));
    f.identities.bind(&website, carol, at(5)).await.unwrap();
    assert_eq!(f.identities.find_by_unionid(&wechat, "union-1").await, Ok(Some(carol)));
    assert_eq!(f.identities.find_by_unionid(&[OAuthProvider::WechatMiniProgram], "union-1").await, Ok(Some(alice)));
}

async fn a_user_s_identities_are_listed_oldest_first(f: Fixture) {
    let (alice, bobby, carol) = (user(&f, "alice").await, user(&f, "bobby").await, user(&f, "carol").await);
    let web = identity(OAuthProvider::WechatWeb, "wx-web", "o-web", Some("union-1"));
    let mini_program = identity(OAuthProvider::WechatMiniProgram, "wx-mp", "o-mp", Some("union-1"));
    f.identities.bind(&web, alice, at(20)).await.unwrap();
    f.identities.bind(&qq("alice-qq"), alice, at(5)).await.unwrap();
    f.identities.bind(&mini_program, alice, at(12)).await.unwrap();
    f.identities.bind(&qq("bobby-qq"), bobby, at(1)).await.unwrap();

    let listed = f.identities.list_for_user(alice).await.unwrap();
    let expected = vec![
        BoundIdentity { key: qq("alice-qq").key, unionid: None, user_id: alice, bound_at: at(5) },
        BoundIdentity { key: mini_program.key, unionid: Some("union-1".into()), user_id: alice, bound_at: at(12) },
        BoundIdentity { key: web.key, unionid: Some("union-1".into()), user_id: alice, bound_at: at(20) },
    ];
    assert_eq!(listed, expected);
    assert_eq!(f.identities.list_for_user(bobby).await.unwrap().len(), 1);
    assert_eq!(f.identities.list_for_user(carol).await.unwrap(), vec![]);
}

async fn unbinding_removes_one_provider_s_identities_and_counts_them(f: Fixture) {
    let (alice, bobby) = (user(&f, "alice").await, user(&f, "bobby").await);
    let web = identity(OAuthProvider::WechatWeb, "wx-web", "o-web", None);
    let other_qq_app = identity(OAuthProvider::Qq, "other-app", "alice-qq", None);
    f.identities.bind(&qq("alice-qq"), alice, at(0)).await.unwrap();
    f.identities.bind(&other_qq_app, alice, at(1)).await.unwrap();
    f.identities.bind(&web, alice, at(2)).await.unwrap();
    f.identities.bind(&qq("bobby-qq"), bobby, at(3)).await.unwrap();

    assert_eq!(f.identities.unbind(alice, OAuthProvider::Qq).await, Ok(Unbinding::Removed(2)));
    assert_eq!(f.identities.unbind(alice, OAuthProvider::Qq).await, Ok(Unbinding::Removed(0)));
    assert_eq!(f.identities.unbind(alice, OAuthProvider::WechatMiniProgram).await, Ok(Unbinding::Removed(0)));
    let left: Vec<_> = f.identities.list_for_user(alice).await.unwrap().into_iter().map(|b| b.key).collect();
    assert_eq!(left, vec![web.key.clone()]);
    assert_eq!(bound_user(&f, &qq("bobby-qq").key).await, Some(bobby));
    assert_eq!(bound_user(&f, &qq("alice-qq").key).await, None);

    // An unbound identity is free to bind again, to anyone.
    f.identities.bind(&qq("alice-qq"), bobby, at(4)).await.unwrap();
    assert_eq!(bound_user(&f, &qq("alice-qq").key).await, Some(bobby));
    // Alice has no password: her last provider is her last way to log in and stays.
    assert_eq!(f.identities.unbind(alice, OAuthProvider::WechatWeb).await, Ok(Unbinding::LastWayToLogIn));
    assert_eq!(f.identities.list_for_user(alice).await.unwrap().len(), 1);
}

async fn with_a_password_the_last_provider_can_go(f: Fixture) {
    let dana = f
        .users
        .insert(NewUser { password_hash: Some("$argon2id$hash".into()), ..new_user("dana1", None, None) })
        .await
        .unwrap()
        .id;
    f.identities.bind(&qq("dana-qq"), dana, at(0)).await.unwrap();
    assert_eq!(f.identities.unbind(dana, OAuthProvider::Qq).await, Ok(Unbinding::Removed(1)));
    assert_eq!(f.identities.list_for_user(dana).await.unwrap(), vec![]);
}

async fn concurrent_unbindings_never_leave_an_account_without_a_way_to_log_in(f: Fixture) {
    let erin = user(&f, "erin1").await;
    f.identities.bind(&qq("erin-qq"), erin, at(0)).await.unwrap();
    f.identities.bind(&identity(OAuthProvider::WechatWeb, "wx-web", "erin-web", None), erin, at(1)).await.unwrap();
    let (a, b) =
        tokio::join!(f.identities.unbind(erin, OAuthProvider::Qq), f.identities.unbind(erin, OAuthProvider::WechatWeb));
    let outcomes = [a.unwrap(), b.unwrap()];
    assert!(outcomes.contains(&Unbinding::Removed(1)) && outcomes.contains(&Unbinding::LastWayToLogIn), "{outcomes:?}");
    assert_eq!(f.identities.list_for_user(erin).await.unwrap().len(), 1);
}

/// No port deletes accounts yet; the schema's cascade is checked with SQL.
async fn deleting_a_user_removes_their_identities(f: Fixture) {
    const DELETE: &str = "DELETE FROM users WHERE id = $1";
    let (alice, bobby) = (user(&f, "alice").await, user(&f, "bobby").await);
    f.identities.bind(&qq("alice-qq"), alice, at(0)).await.unwrap();
    f.identities.bind(&qq("bobby-qq"), bobby, at(0)).await.unwrap();
    let deleted = match &f.fresh.database {
        Database::Sqlite(pool) => sqlx::query(DELETE).bind(alice.0).execute(pool).await.unwrap().rows_affected(),
        Database::Postgres(pool) => sqlx::query(DELETE).bind(alice.0).execute(pool).await.unwrap().rows_affected(),
    };
    assert_eq!(deleted, 1);
    assert_eq!(f.identities.find(&qq("alice-qq").key).await.unwrap(), None);
    assert_eq!(f.identities.list_for_user(alice).await.unwrap(), vec![]);
    assert_eq!(bound_user(&f, &qq("bobby-qq").key).await, Some(bobby));
}
