//! What unnamed statements in transactions cost beside named ones: the same
//! sequential store calls on PostgreSQL directly with named statements,
//! directly with unnamed ones, and through PgBouncer with unnamed ones. A
//! measurement, not a contract: it prints its figures and asserts nothing
//! about time. Run it with
//! `cargo test -p acceptance-tests --test contracts pooler_cost -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use application::ports::{NewRegistration, Rotation};
use chrono::Utc;
use domain::{LoginIdentifier, NewUser};
use security::ServiceSecret;
use storage::{Database, StatementNaming};
use test_support::backends::{backend_url, fresh_pooled_postgres};

/// Rounds of each setup, taken in turn so a slow moment of a shared machine
/// falls on all of them; the median round is printed.
const ROUNDS: u32 = 5;
const LOOKUPS: u32 = 400;
const REGISTRATIONS: u32 = 100;
const ROTATIONS: u32 = 100;
const LIFETIME: Duration = Duration::from_secs(3_600);

fn registration(username: String) -> NewRegistration {
    NewRegistration {
        user: NewUser {
            username,
            mobile: None,
            email: None,
            email_active: false,
            password_hash: Some("$argon2id$hash".into()),
            date_joined: Utc::now(),
        },
        refresh_lifetime: LIFETIME,
        origin: crate::refresh_origin(),
    }
}

/// Microseconds per call of `calls` sequential calls of `call`.
async fn per_call<F: Future<Output = ()>>(calls: u32, mut call: impl FnMut(u32) -> F) -> f64 {
    let started = Instant::now();
    for i in 0..calls {
        call(i).await;
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(calls)
}

#[tokio::test]
#[ignore = "a measurement: run by hand with --ignored --nocapture"]
async fn unnamed_statements_through_pgbouncer_beside_named_ones_directly() {
    let test = "pooler_cost";
    let Some(admin) = backend_url("TEST_DATABASE_URL", test) else { return };
    let Some(pooled) = backend_url("TEST_POOLED_DATABASE_URL", test) else { return };
    let urls = fresh_pooled_postgres(&admin, &pooled, "pooler_cost").await;
    let direct = Database::connect(&urls.direct_url, Duration::from_secs(5)).await.unwrap();
    direct.migrate().await.unwrap();
    direct.close().await;
    let secret = ServiceSecret::from(b"pooler-cost-secret");

    println!(
        "µs per call, sequential, one client, median of {ROUNDS} rounds: lookup by username ({LOOKUPS} a round), \
         registration ({REGISTRATIONS}), refresh rotation ({ROTATIONS})"
    );
    let setups = [
        ("PostgreSQL directly, named", &urls.direct_url, StatementNaming::Named),
        ("PostgreSQL directly, unnamed", &urls.direct_url, StatementNaming::Unnamed),
        ("PgBouncer (transaction), unnamed", &urls.pooled_url, StatementNaming::Unnamed),
    ];
    let mut stores = Vec::new();
    for (setup, (_, url, naming)) in setups.iter().enumerate() {
        let database = Database::connect_with_pool(url, Duration::from_secs(5), 0, *naming).await.unwrap();
        let (users, registrations, refresh) =
            (database.users(), database.registrations(), database.refresh_tokens(&secret));
        let account = registrations.register(&registration(format!("setup{setup}"))).await.unwrap();
        let name = LoginIdentifier::Username(account.user.username.clone());
        // Warm: connections open, named statements prepared.
        for _ in 0..50 {
            users.find_by_login(&name).await.unwrap().unwrap();
        }
        stores.push((users, registrations, refresh, name, account.refresh_token));
    }
    let mut figures = vec![Vec::new(); setups.len()];
    for round in 0..ROUNDS {
        for (setup, (users, registrations, refresh, name, token)) in stores.iter_mut().enumerate() {
            let lookup = per_call(LOOKUPS, |_| async {
                users.find_by_login(name).await.unwrap().unwrap();
            })
            .await;
            let register = per_call(REGISTRATIONS, |i| {
                let registrations = registrations.clone();
                let username = format!("setup{setup}_{round}_{i}");
                async move {
                    registrations.register(&registration(username)).await.unwrap();
                }
            })
            .await;
            let started = Instant::now();
            for _ in 0..ROTATIONS {
                match refresh.rotate(token, Duration::ZERO, LIFETIME, &crate::refresh_origin()).await.unwrap() {
                    Rotation::Rotated { token: next, .. } => *token = next,
                    other => panic!("{}: rotation gave {other:?}", setups[setup].0),
                }
            }
            let rotate = started.elapsed().as_secs_f64() * 1e6 / f64::from(ROTATIONS);
            figures[setup].push([lookup, register, rotate]);
        }
    }
    let median = |rounds: &[[f64; 3]], column: usize| {
        let mut values: Vec<f64> = rounds.iter().map(|round| round[column]).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    for ((label, _, _), rounds) in setups.iter().zip(&figures) {
        let (lookup, register, rotate) = (median(rounds, 0), median(rounds, 1), median(rounds, 2));
        println!("| {label} | {lookup:.0} | {register:.0} | {rotate:.0} |");
    }
}
