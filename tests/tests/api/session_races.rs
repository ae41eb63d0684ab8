//! Sessions that stay ended while rotations race the ending: four clients
//! holding one stolen refresh token rotate it over and over while the owner
//! signs out everywhere or changes the password. Once that answered, none of
//! the refresh tokens or access tokens the clients obtained works.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::production_backends::spawn_production_app;
use crate::support::{TestApp, body, spawn_app};

/// How a session is ended, with the registration's access token and id.
#[derive(Clone, Copy, Debug)]
pub enum Ending {
    SignOutEverywhere,
    PasswordChange,
}

impl Ending {
    async fn run(self, app: &TestApp, access: &str, id: &Value) {
        let response = match self {
            Self::SignOutEverywhere => {
                app.client.post(app.url("/user/sessions/revoke/")).bearer_auth(access).send().await.unwrap()
            }
            Self::PasswordChange => {
                let form = json!({"old_password": "correct-horse", "password": "battery-staple", "password2": "battery-staple"});
                app.client
                    .put(app.url(&format!("/users/{id}/password/")))
                    .bearer_auth(access)
                    .json(&form)
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert!(response.status().is_success(), "{self:?}: {}", response.status());
    }
}

/// Rotates `token` until refused, returning every pair obtained and counting
/// each in `rotations`. The refusal must be the ended session's 401.
async fn rotate_until_refused(app: &TestApp, mut token: String, rotations: &AtomicUsize) -> Vec<(String, String)> {
    let mut obtained = Vec::new();
    while obtained.len() < 400 {
        let response = app.post_json("/authorizations/refresh/", &json!({"refresh_token": token})).await;
        if response.status() != StatusCode::OK {
            let status = response.status();
            let refusal = body(response).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{refusal}");
            assert!(
                ["token_invalid", "token_revoked"].contains(&refusal["code"].as_str().unwrap_or_default()),
                "{refusal}"
            );
            break;
        }
        let pair = body(response).await;
        token = pair["refresh_token"].as_str().unwrap().to_owned();
        obtained.push((pair["token"].as_str().unwrap().to_owned(), token.clone()));
        rotations.fetch_add(1, Ordering::SeqCst);
    }
    obtained
}

pub async fn assert_no_token_outlives_an_ending_that_races_rotations(app: &TestApp, ending: Ending) {
    let registered = app.register("alice", "13800138000").await;
    let (access, id) = (registered["token"].as_str().unwrap().to_owned(), registered["id"].clone());
    let stolen = registered["refresh_token"].as_str().unwrap().to_owned();
    let rotations = AtomicUsize::new(0);
    let rotators = futures::future::join_all((0..4).map(|_| rotate_until_refused(app, stolen.clone(), &rotations)));
    let ending = async {
        // The ending lands among rotations under way, however slowly a busy machine starts them.
        let deadline = Instant::now() + Duration::from_secs(30);
        while rotations.load(Ordering::SeqCst) < 4 {
            assert!(Instant::now() < deadline, "fewer than 4 rotations within 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        ending.run(app, &access, &id).await;
    };
    let (obtained, ()) = futures::join!(rotators, ending);
    let obtained: Vec<_> = obtained.into_iter().flatten().collect();
    assert!(!obtained.is_empty(), "the rotations ran before the ending");
    for (access, refresh) in &obtained {
        let me = app.client.get(app.url("/user/")).bearer_auth(access).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "an access token from a rotation outlived the ending");
        let again = app.post_json("/authorizations/refresh/", &json!({"refresh_token": refresh})).await;
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "a successor outlived the ending");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_outlives_a_sign_out_everywhere_racing_rotations() {
    let app = spawn_app().await;
    assert_no_token_outlives_an_ending_that_races_rotations(&app, Ending::SignOutEverywhere).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_outlives_a_password_change_racing_rotations() {
    let app = spawn_app().await;
    assert_no_token_outlives_an_ending_that_races_rotations(&app, Ending::PasswordChange).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_outlives_a_sign_out_everywhere_racing_rotations_on_postgres_and_redis() {
    let Some(app) = spawn_production_app("session_races::sign_out").await else { return };
    assert_no_token_outlives_an_ending_that_races_rotations(&app, Ending::SignOutEverywhere).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_outlives_a_password_change_racing_rotations_on_postgres_and_redis() {
    let Some(app) = spawn_production_app("session_races::password_change").await else { return };
    assert_no_token_outlives_an_ending_that_races_rotations(&app, Ending::PasswordChange).await;
}

/// A logout ends its whole session: the access tokens refreshed from it and its
/// refresh token, not only the token presented; other sessions live on.
pub async fn assert_a_logout_ends_every_token_of_its_session(app: &TestApp) {
    let registered = app.register("alice", "13800138000").await;
    let first = registered["token"].as_str().unwrap().to_owned();
    let refreshed =
        body(app.post_json("/authorizations/refresh/", &json!({"refresh_token": registered["refresh_token"]})).await)
            .await;
    let (second, refresh) =
        (refreshed["token"].as_str().unwrap().to_owned(), refreshed["refresh_token"].as_str().unwrap().to_owned());
    let other = body(app.log_in("alice", "correct-horse").await).await["token"].as_str().unwrap().to_owned();
    for token in [&first, &second, &other] {
        assert_eq!(app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap().status(), StatusCode::OK);
    }
    let logout = app.client.post(app.url("/authorizations/logout/")).bearer_auth(&first).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    for token in [&first, &second] {
        let me = app.client.get(app.url("/user/")).bearer_auth(token).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "a token of the ended session");
    }
    let again = app.post_json("/authorizations/refresh/", &json!({"refresh_token": refresh})).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "the session's refresh token");
    let me = app.client.get(app.url("/user/")).bearer_auth(&other).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "another session lives on");
}

#[tokio::test]
async fn a_logout_ends_every_token_of_its_session() {
    assert_a_logout_ends_every_token_of_its_session(&spawn_app().await).await;
}

#[tokio::test]
async fn a_logout_ends_every_token_of_its_session_on_postgres_and_redis() {
    let Some(app) = spawn_production_app("session_races::logout").await else { return };
    assert_a_logout_ends_every_token_of_its_session(&app).await;
}
