//! The document's patterns never admit what the domain's validators refuse:
//! every string a pattern matches, among known edge cases and many random
//! variations of them, parses. (schemathesis checks the same against the
//! running server in CI.)
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use domain::{CaptchaId, CaptchaText, Email, Mobile, Username, VerificationCode};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use regex::Regex;

type Validator = fn(&str) -> bool;

/// A document pattern, its length bounds, the validator it stands for, and seeds to vary.
type Case = (&'static str, Option<(usize, usize)>, Validator, Vec<&'static str>);

fn cases() -> Vec<Case> {
    vec![
        (
            Username::PATTERN,
            Some((Username::MIN_LEN, Username::MAX_LEN)),
            |s| Username::parse(s).is_ok(),
            vec!["alice", "a_b-c", "12345", "1234a", "_____", "abcdefghijklmnopqrst", "al ce"],
        ),
        (
            Mobile::PATTERN,
            None,
            |s| Mobile::parse(s).is_ok(),
            vec!["13800138000", "+8613800138000", "008613800138000", "12800138000", "1380013800"],
        ),
        (
            Email::PATTERN,
            Some((1, Email::MAX_LEN)),
            |s| Email::parse(s).is_ok(),
            vec![
                "alice@example.com",
                "a.b+c@mail.example.cn",
                "a..b@example.com",
                ".a@example.com",
                "a@-b.com",
                "a@b",
                "a@b.c-",
                "a@b.c",
            ],
        ),
        (VerificationCode::PATTERN, None, |s| VerificationCode::parse(s).is_ok(), vec!["123456", "12345a", "1234567"]),
        (
            CaptchaId::PATTERN,
            None,
            |s| CaptchaId::parse(s).is_ok(),
            vec![
                "6f9619ff-8b86-d011-b42d-00c04fc964ff",
                "6F9619FF-8B86-D011-B42D-00C04FC964FF",
                "6f9619ff8b86d011b42d00c04fc964ff",
            ],
        ),
        (CaptchaText::PATTERN, None, |s| CaptchaText::parse(s).is_ok(), vec!["AB12", "ab1", "AB1-"]),
    ]
}

const ALPHABET: &[char] = &['a', 'Z', '0', '9', '1', '3', '_', '-', '.', '@', '+', ' ', '/', '中', '\u{7}'];

fn vary(seed: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for _ in 0..rng.random_range(1..4) {
        let at = rng.random_range(0..=chars.len());
        match rng.random_range(0..3) {
            0 => chars.insert(at, *ALPHABET.choose(rng).unwrap()),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = *ALPHABET.choose(rng).unwrap(),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Replays a run: the variations come from this seed, printed by every run.
const SEED_VAR: &str = "FIELD_RULES_SEED";

/// The seed in `FIELD_RULES_SEED`, else a fresh one.
fn run_seed() -> u64 {
    match std::env::var(SEED_VAR) {
        Ok(seed) => seed.trim().parse().unwrap_or_else(|_| panic!("{SEED_VAR}={seed:?} is not a u64")),
        Err(_) => rand::random(),
    }
}

#[test]
fn every_string_a_document_pattern_admits_is_accepted_by_its_validator() {
    let run_seed = run_seed();
    // Shown with the test's output, so a failure tells how to replay it.
    println!("random variations from {SEED_VAR}={run_seed}");
    let mut rng = StdRng::seed_from_u64(run_seed);
    for (pattern, lengths, accepts, seeds) in cases() {
        let regex = Regex::new(pattern).unwrap();
        let admitted =
            |s: &str| regex.is_match(s) && lengths.is_none_or(|(min, max)| (min..=max).contains(&s.chars().count()));
        let mut matched = 0;
        for seed in &seeds {
            for candidate in std::iter::once(seed.to_string()).chain((0..20_000).map(|_| vary(seed, &mut rng))) {
                if admitted(&candidate) {
                    matched += 1;
                    assert!(
                        accepts(&candidate),
                        "{pattern} admits {candidate:?}, which the server refuses (replay with {SEED_VAR}={run_seed})"
                    );
                }
            }
        }
        assert!(matched > 0, "{pattern} matched nothing");
    }
}

#[test]
fn the_document_carries_the_domain_patterns() {
    let doc = openapi::document().unwrap();
    let username = &doc["paths"]["/usernames/{username}/count/"]["get"]["parameters"][0]["schema"];
    assert_eq!(username["pattern"], Username::PATTERN);
    let register = &doc["components"]["schemas"]["RegisterRequest"]["properties"];
    assert_eq!(register["mobile"]["pattern"], Mobile::PATTERN);
    assert_eq!(register["email"]["pattern"], Email::PATTERN);
    assert_eq!(register["sms_code"]["pattern"], VerificationCode::PATTERN);
    assert_eq!(register["password"]["minLength"], domain::Password::MIN_LEN);
}
