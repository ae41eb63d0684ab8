//! What verifying an access token costs per algorithm: the whole `TokenIssuer::verify` (header,
//! signature, claims), one thread, best of several rounds; for the public-key algorithms both a
//! token's first verify and a verify of a token already verified (remembered by its digest). A measurement, not a test: run with
//! `cargo test --release -p security --test verify_cost -- --ignored --nocapture`; no assertion on
//! time. The numbers are in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measurement: a failed step should stop it")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use application::ports::TokenIssuer;
use chrono::Utc;
use domain::{Profile, User, UserId};
use security::{AccessTokenAlgorithm, AccessTokenKeys, JwtTokenIssuer, ServiceSecret, SigningKey};

const VERIFIES: u32 = 2_000;
const ROUNDS: usize = 5;

fn user() -> User {
    User {
        id: UserId(42),
        username: "alice".into(),
        mobile: None,
        email: None,
        pending_email: None,
        password_hash: None,
        profile: Profile::default(),
        date_joined: Utc::now(),
        last_login: None,
        token_version: 0,
    }
}

/// Verifies of one token over and over: after the first, a remembered one.
fn microseconds_per_verify(issuer: &JwtTokenIssuer) -> f64 {
    let token = issuer.issue(&user(), None).unwrap().token;
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..VERIFIES {
            black_box(issuer.verify(black_box(&token)).unwrap());
        }
        best = best.min(started.elapsed());
    }
    best.as_secs_f64() * 1e6 / f64::from(VERIFIES)
}

/// First verifies: every token a new one.
fn microseconds_per_first_verify(issuer: &JwtTokenIssuer) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        let tokens: Vec<String> = (0..VERIFIES).map(|_| issuer.issue(&user(), None).unwrap().token).collect();
        let started = Instant::now();
        for token in &tokens {
            black_box(issuer.verify(black_box(token)).unwrap());
        }
        best = best.min(started.elapsed());
    }
    best.as_secs_f64() * 1e6 / f64::from(VERIFIES)
}

#[test]
#[ignore = "a measurement; run with --ignored --nocapture, in release"]
fn verify_cost_per_algorithm() {
    let lifetime = Duration::from_secs(3600);
    let hs256 = JwtTokenIssuer::new(&ServiceSecret::from(&[7u8; 32]), lifetime, "meiduo-accounts", "meiduo-mall");
    println!("HS256: {:.1} µs per verify", microseconds_per_verify(&hs256));
    for algorithm in [AccessTokenAlgorithm::EdDsa, AccessTokenAlgorithm::Es256] {
        let keys = AccessTokenKeys::Asymmetric {
            current: Box::new(SigningKey::generate(algorithm).unwrap()),
            earlier: vec![],
        };
        let issuer = JwtTokenIssuer::signed_with(&keys, lifetime, "meiduo-accounts", "meiduo-mall");
        println!("{algorithm}: {:.1} µs per first verify", microseconds_per_first_verify(&issuer));
        println!("{algorithm}: {:.1} µs per verify of a remembered token", microseconds_per_verify(&issuer));
    }
}
