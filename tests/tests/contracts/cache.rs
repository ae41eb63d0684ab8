//! The contracts of the cache ports (captchas, codes, rate limits), for the
//! in-process cache, Redis and a Redis Cluster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use application::ports::{
    CaptchaStore, Channel, CodeCheck, CodeKey, CodePurpose, FailureLimits, IdentityKey, OAuthProvider, RateDecision,
    RateLimit, RateLimiter, Reservation, SessionKeyStore, Settlement, VerificationCodeStore,
};
use cache::{MemoryCache, RedisCache};
use domain::{CaptchaId, CaptchaText, VerificationCode};
use security::{CodeDigester, ServiceSecret};
use test_support::backends::backend_url;

use crate::at_once;

/// The same cache seen through each port, plus a second handle on it (a
/// second instance of the service, for Redis; the same one for memory).
#[derive(Clone)]
struct Fixture {
    captchas: Arc<dyn CaptchaStore>,
    codes: Arc<dyn VerificationCodeStore>,
    limiter: Arc<dyn RateLimiter>,
    session_keys: Arc<dyn SessionKeyStore>,
    other_instance: Arc<dyn RateLimiter>,
}

async fn memory(_test: &str) -> Option<Fixture> {
    let cache = Arc::new(MemoryCache::new(CodeDigester::new(&ServiceSecret::from(b"contract")), 10_000));
    Some(Fixture {
        captchas: cache.clone(),
        codes: cache.clone(),
        limiter: cache.clone(),
        session_keys: cache.clone(),
        other_instance: cache,
    })
}

async fn redis(test: &str) -> Option<Fixture> {
    redis_at(backend_url("TEST_REDIS_URL", test)?).await
}

/// A Redis Cluster: keys a script touches together must share a slot.
async fn redis_cluster(test: &str) -> Option<Fixture> {
    redis_at(backend_url("TEST_REDIS_CLUSTER_URL", test)?).await
}

async fn redis_at(url: String) -> Option<Fixture> {
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let connect = || {
        RedisCache::connect(&url, &prefix, CodeDigester::new(&ServiceSecret::from(b"contract")), Duration::from_secs(2))
    };
    let cache = Arc::new(connect().await.unwrap());
    let other = Arc::new(connect().await.unwrap());
    Some(Fixture {
        captchas: cache.clone(),
        codes: cache.clone(),
        limiter: cache.clone(),
        session_keys: cache,
        other_instance: other,
    })
}

contract_suite!(
    suite: "cache",
    backends: [memory, redis, redis_cluster],
    tests: [
        a_captcha_is_taken_once,
        a_captcha_expires,
        the_right_code_is_accepted_once,
        the_last_allowed_wrong_try_burns_the_code,
        a_new_code_replaces_the_old_one_and_its_failures,
        codes_expire,
        codes_for_other_targets_or_purposes_do_not_match,
        a_discarded_code_is_gone_and_the_others_stay,
        a_limit_allows_up_to_its_maximum_then_tells_the_wait,
        a_refused_hit_counts_against_no_limit,
        a_window_reopens_after_it_expires,
        a_zero_maximum_turns_the_limit_off,
        concurrent_hits_from_two_instances_never_exceed_the_maximum,
        reserved_failures_lock_once_the_maximum_is_reached_for_a_whole_window,
        a_refused_reservation_takes_no_slot_and_reset_forgets,
        a_reserved_slot_given_back_is_free_again,
        concurrent_reservations_from_two_instances_never_exceed_the_maximum,
        a_try_waits_for_a_held_place_and_gets_it_when_the_check_is_right,
        a_full_silent_counter_withholds_and_charges_the_open_ones,
        a_silent_counter_held_past_the_patience_withholds,
        a_reset_keeps_the_places_held,
        a_released_hit_is_given_back_to_every_limit_and_never_below_zero,
        a_session_key_is_kept_per_identity_replaced_by_the_newest_and_expires,
    ]
);

fn captcha_id() -> CaptchaId {
    CaptchaId::parse(&uuid::Uuid::new_v4().to_string()).unwrap()
}

fn key(target: &str) -> CodeKey {
    CodeKey { channel: Channel::Sms, purpose: CodePurpose::Register, target: target.into() }
}

fn code(digits: &str) -> VerificationCode {
    VerificationCode::parse(digits).unwrap()
}

const MINUTE: Duration = Duration::from_secs(60);

async fn a_captcha_is_taken_once(cache: Fixture) {
    let id = captcha_id();
    cache.captchas.put(&id, &CaptchaText::parse("AB12").unwrap(), MINUTE).await.unwrap();
    assert_eq!(cache.captchas.take(&id).await.unwrap(), Some(CaptchaText::parse("ab12").unwrap()));
    assert_eq!(cache.captchas.take(&id).await.unwrap(), None);
    assert_eq!(cache.captchas.take(&captcha_id()).await.unwrap(), None);
}

async fn a_captcha_expires(cache: Fixture) {
    let id = captcha_id();
    cache.captchas.put(&id, &CaptchaText::parse("AB12").unwrap(), Duration::from_millis(50)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(cache.captchas.take(&id).await.unwrap(), None);
}

async fn the_right_code_is_accepted_once(cache: Fixture) {
    cache.codes.save(&key("13800138000"), &code("123456"), MINUTE).await.unwrap();
    assert_eq!(cache.codes.check(&key("13800138000"), &code("123456"), 5).await.unwrap(), CodeCheck::Accepted);
    assert_eq!(cache.codes.check(&key("13800138000"), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
}

async fn the_last_allowed_wrong_try_burns_the_code(cache: Fixture) {
    let target = key("13800138000");
    cache.codes.save(&target, &code("123456"), MINUTE).await.unwrap();
    for left in (1..5).rev() {
        let check = cache.codes.check(&target, &code("000000"), 5).await.unwrap();
        assert_eq!(check, CodeCheck::Rejected { attempts_left: left });
    }
    assert_eq!(cache.codes.check(&target, &code("000000"), 5).await.unwrap(), CodeCheck::Exhausted);
    assert_eq!(cache.codes.check(&target, &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
}

async fn a_new_code_replaces_the_old_one_and_its_failures(cache: Fixture) {
    let target = key("13800138000");
    cache.codes.save(&target, &code("111111"), MINUTE).await.unwrap();
    cache.codes.check(&target, &code("000000"), 2).await.unwrap();
    cache.codes.save(&target, &code("222222"), MINUTE).await.unwrap();
    assert_eq!(cache.codes.check(&target, &code("111111"), 2).await.unwrap(), CodeCheck::Rejected { attempts_left: 1 });
    assert_eq!(cache.codes.check(&target, &code("222222"), 2).await.unwrap(), CodeCheck::Accepted);
}

async fn codes_expire(cache: Fixture) {
    cache.codes.save(&key("13800138000"), &code("123456"), Duration::from_millis(50)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(cache.codes.check(&key("13800138000"), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
}

async fn codes_for_other_targets_or_purposes_do_not_match(cache: Fixture) {
    cache.codes.save(&key("13800138000"), &code("123456"), MINUTE).await.unwrap();
    assert_eq!(cache.codes.check(&key("13900139000"), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
    let email = CodeKey { channel: Channel::Email, ..key("13800138000") };
    assert_eq!(cache.codes.check(&email, &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
}

async fn a_discarded_code_is_gone_and_the_others_stay(cache: Fixture) {
    let reset = CodeKey { purpose: CodePurpose::ResetPassword, ..key("13800138000") };
    cache.codes.save(&key("13800138000"), &code("123456"), MINUTE).await.unwrap();
    cache.codes.save(&reset, &code("654321"), MINUTE).await.unwrap();
    cache.codes.save(&key("13900139000"), &code("111111"), MINUTE).await.unwrap();
    cache.codes.discard(&key("13800138000")).await.unwrap();
    // Discarding what is not there is no error.
    cache.codes.discard(&key("13700137000")).await.unwrap();
    assert_eq!(cache.codes.check(&key("13800138000"), &code("123456"), 5).await.unwrap(), CodeCheck::Missing);
    assert_eq!(cache.codes.check(&reset, &code("654321"), 5).await.unwrap(), CodeCheck::Accepted);
    assert_eq!(cache.codes.check(&key("13900139000"), &code("111111"), 5).await.unwrap(), CodeCheck::Accepted);
}

async fn a_limit_allows_up_to_its_maximum_then_tells_the_wait(cache: Fixture) {
    let limit = [RateLimit::new("ip", 2, MINUTE)];
    assert_eq!(cache.limiter.acquire(&limit).await.unwrap(), RateDecision::Allowed);
    assert_eq!(cache.other_instance.acquire(&limit).await.unwrap(), RateDecision::Allowed);
    let RateDecision::Limited { retry_after } = cache.limiter.acquire(&limit).await.unwrap() else {
        panic!("the third hit must be refused")
    };
    assert!(retry_after > Duration::from_secs(55) && retry_after <= MINUTE, "{retry_after:?}");
}

async fn a_refused_hit_counts_against_no_limit(cache: Fixture) {
    let resend = RateLimit::new("resend", 1, MINUTE);
    let daily = RateLimit::new("daily", 2, Duration::from_secs(600));
    assert_eq!(cache.limiter.acquire(&[resend.clone(), daily.clone()]).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.acquire(&[resend, daily.clone()]).await.unwrap(), RateDecision::Limited { .. }));
    assert_eq!(cache.limiter.acquire(std::slice::from_ref(&daily)).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.acquire(&[daily]).await.unwrap(), RateDecision::Limited { .. }));
}

/// Waits (up to 15 s) for `look` to give `Some`, looking every 20 ms.
async fn eventually<T, F: Future<Output = Option<T>>>(what: &str, mut look: impl FnMut() -> F) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = look().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what} did not happen within 15 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_window_reopens_after_it_expires(cache: Fixture) {
    // A window a busy machine's second hit surely lands in.
    let window = Duration::from_secs(1);
    let limit = [RateLimit::new("window", 1, window)];
    let opened = Instant::now();
    assert_eq!(cache.limiter.acquire(&limit).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.acquire(&limit).await.unwrap(), RateDecision::Limited { .. }));
    // A refused hit counts against no limit: asking again does not move the window.
    let (limiter, limit) = (&cache.limiter, &limit);
    let reopened = eventually("the window's end", || async move {
        (limiter.acquire(limit).await.unwrap() == RateDecision::Allowed).then(|| opened.elapsed())
    })
    .await;
    assert!(reopened >= window, "reopened {reopened:?} after the first hit");
}

async fn a_zero_maximum_turns_the_limit_off(cache: Fixture) {
    for _ in 0..5 {
        let decision = cache.limiter.acquire(&[RateLimit::new("off", 0, MINUTE)]).await.unwrap();
        assert_eq!(decision, RateDecision::Allowed);
    }
}

async fn concurrent_hits_from_two_instances_never_exceed_the_maximum(cache: Fixture) {
    let decisions = at_once(0..40, |i| {
        let limiter = if i % 2 == 0 { cache.limiter.clone() } else { cache.other_instance.clone() };
        async move { limiter.acquire(&[RateLimit::new("race", 7, MINUTE)]).await.unwrap() }
    })
    .await;
    let allowed = decisions.iter().filter(|decision| **decision == RateDecision::Allowed).count();
    assert_eq!(allowed, 7, "{decisions:?}");
}

/// Failure counters that refuse openly, waiting at most `patience` for held places.
fn open(limits: &[RateLimit], patience: Duration) -> FailureLimits {
    FailureLimits { open: limits.to_vec(), silent: Vec::new(), patience }
}

const PATIENCE: Duration = Duration::from_millis(300);

/// A wrong password: reserved, then charged.
async fn fail(limiter: &dyn RateLimiter, limits: &FailureLimits) {
    assert_eq!(limiter.reserve(limits).await.unwrap(), Reservation::Taken);
    limiter.settle(limits, Settlement::Charged).await.unwrap();
}

async fn reserved_failures_lock_once_the_maximum_is_reached_for_a_whole_window(cache: Fixture) {
    // The second failure lands well inside the first's window, however busy the machine.
    let (window, gap) = (Duration::from_secs(2), Duration::from_millis(500));
    let limits = open(&[RateLimit::new("failures", 2, window)], PATIENCE);
    let first = Instant::now();
    fail(cache.limiter.as_ref(), &limits).await;
    tokio::time::sleep(gap).await;
    let second = Instant::now();
    fail(cache.other_instance.as_ref(), &limits).await;
    // The failure that fills the counter starts the window again: the lock ends a
    // whole window after it, a gap later than the first failure's window would.
    let Reservation::Refused { retry_after } = cache.limiter.reserve(&limits).await.unwrap() else {
        panic!("two failures must lock")
    };
    // Less a few milliseconds for Redis's rounding of a key's time to live.
    let rounding = Duration::from_millis(5);
    assert!(retry_after + first.elapsed() + rounding >= window + gap, "{retry_after:?}");
    let (limiter, limits) = (&cache.limiter, &limits);
    let unlocked = eventually("the lock's end", || async move {
        (limiter.reserve(limits).await.unwrap() == Reservation::Taken).then(|| second.elapsed())
    })
    .await;
    assert!(unlocked + rounding >= window, "unlocked {unlocked:?} after the second failure");
}

async fn a_refused_reservation_takes_no_slot_and_reset_forgets(cache: Fixture) {
    let account = RateLimit::new("account", 2, MINUTE);
    let ip = RateLimit::new("ip", 3, MINUTE);
    let both = open(&[account.clone(), ip.clone()], PATIENCE);
    for _ in 0..2 {
        fail(cache.limiter.as_ref(), &both).await;
    }
    let Reservation::Refused { retry_after } = cache.limiter.reserve(&both).await.unwrap() else {
        panic!("the account is full")
    };
    assert!(retry_after > Duration::from_secs(55) && retry_after <= MINUTE, "{retry_after:?}");
    // The refused try left the address at 2 of 3.
    let ip_only = open(std::slice::from_ref(&ip), PATIENCE);
    fail(cache.limiter.as_ref(), &ip_only).await;
    assert!(matches!(cache.limiter.reserve(&ip_only).await.unwrap(), Reservation::Refused { .. }));
    cache.other_instance.reset("account").await.unwrap();
    assert_eq!(cache.limiter.reserve(&open(&[account], PATIENCE)).await.unwrap(), Reservation::Taken);
}

async fn a_reserved_slot_given_back_is_free_again(cache: Fixture) {
    let limits = open(&[RateLimit::new("given-back", 1, MINUTE)], Duration::ZERO);
    assert_eq!(cache.limiter.reserve(&limits).await.unwrap(), Reservation::Taken);
    cache.other_instance.settle(&limits, Settlement::Refunded).await.unwrap();
    assert_eq!(cache.limiter.reserve(&limits).await.unwrap(), Reservation::Taken);
    cache.limiter.settle(&limits, Settlement::Charged).await.unwrap();
    assert!(matches!(cache.limiter.reserve(&limits).await.unwrap(), Reservation::Refused { .. }));
}

/// A burst of tries for one account from two instances: exactly the maximum
/// get a place, whatever their interleaving; the others wait for those checks,
/// and are refused with a short wait when they do not settle in time.
async fn concurrent_reservations_from_two_instances_never_exceed_the_maximum(cache: Fixture) {
    let limits = open(&[RateLimit::new("burst:account", 5, MINUTE), RateLimit::new("burst:ip", 30, MINUTE)], PATIENCE);
    let reservations = at_once(0..40, |i| {
        let limiter = if i % 2 == 0 { cache.limiter.clone() } else { cache.other_instance.clone() };
        let limits = limits.clone();
        async move { limiter.reserve(&limits).await.unwrap() }
    })
    .await;
    let mut taken = 0;
    for reservation in reservations {
        match reservation {
            Reservation::Taken => taken += 1,
            Reservation::Refused { retry_after } => assert_eq!(retry_after, Duration::from_secs(1)),
            Reservation::Withheld { .. } => panic!("no counter is silent"),
        }
    }
    assert_eq!(taken, 5);
    for _ in 0..5 {
        cache.limiter.settle(&limits, Settlement::Charged).await.unwrap();
    }
    // Five failures now: a lock for the window, told at once.
    let Reservation::Refused { retry_after } = cache.limiter.reserve(&limits).await.unwrap() else { panic!() };
    assert!(retry_after > Duration::from_secs(55), "{retry_after:?}");
    // Only the five reserved tries count against the address: 25 of 30 left.
    let ip = open(&limits.open[1..], PATIENCE);
    for _ in 0..25 {
        fail(cache.limiter.as_ref(), &ip).await;
    }
    assert!(matches!(cache.limiter.reserve(&ip).await.unwrap(), Reservation::Refused { .. }));
}

/// A try finding every place held by checks in flight waits for them: one
/// that turns out right gives its place to the waiting try (on another instance).
async fn a_try_waits_for_a_held_place_and_gets_it_when_the_check_is_right(cache: Fixture) {
    // A patience no busy machine exhausts before the settlement: a try that gave up would be refused.
    let limits = open(&[RateLimit::new("held:account", 1, MINUTE)], Duration::from_secs(30));
    assert_eq!(cache.limiter.reserve(&limits).await.unwrap(), Reservation::Taken);
    let waiting = {
        let (limiter, limits) = (cache.other_instance.clone(), limits.clone());
        tokio::spawn(async move { (limiter.reserve(&limits).await.unwrap(), Instant::now()) })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the try waits while the place is held");
    let settled = Instant::now();
    cache.limiter.settle(&limits, Settlement::Refunded).await.unwrap();
    let (reservation, got_at) = waiting.await.unwrap();
    assert_eq!(reservation, Reservation::Taken);
    // The try looks again within moments of the settlement (its pauses are short), not at its patience's end.
    let after = got_at.saturating_duration_since(settled);
    assert!(after < Duration::from_secs(5), "taken {after:?} after the settlement");
}

/// The silent counter (the account's) full of failures keeps the password
/// unchecked without refusing: the try is withheld and counts as a failure in
/// the open counters (the name's), which then refuse like any other.
async fn a_full_silent_counter_withholds_and_charges_the_open_ones(cache: Fixture) {
    let account = RateLimit::new("silent:account", 2, MINUTE);
    let (username, mobile) = (RateLimit::new("silent:alice", 2, MINUTE), RateLimit::new("silent:138", 2, MINUTE));
    let by = |name: &RateLimit| FailureLimits {
        open: vec![name.clone()],
        silent: vec![account.clone()],
        patience: PATIENCE,
    };
    fail(cache.limiter.as_ref(), &by(&username)).await;
    fail(cache.limiter.as_ref(), &by(&username)).await;
    assert!(matches!(cache.limiter.reserve(&by(&username)).await.unwrap(), Reservation::Refused { .. }));
    for _ in 0..2 {
        let Reservation::Withheld { retry_after } = cache.other_instance.reserve(&by(&mobile)).await.unwrap() else {
            panic!("the account is locked")
        };
        assert!(retry_after > Duration::from_secs(55), "{retry_after:?}");
    }
    let Reservation::Refused { retry_after } = cache.limiter.reserve(&by(&mobile)).await.unwrap() else {
        panic!("two withheld tries fill the mobile's own counter")
    };
    assert!(retry_after > Duration::from_secs(55), "{retry_after:?}");
    // A right password through a third name resets the account; the names keep their counts.
    cache.limiter.reset(&account.key).await.unwrap();
    let email = RateLimit::new("silent:alice@example.com", 2, MINUTE);
    assert_eq!(cache.limiter.reserve(&by(&email)).await.unwrap(), Reservation::Taken);
    assert!(matches!(cache.limiter.reserve(&by(&mobile)).await.unwrap(), Reservation::Refused { .. }));
}

/// A silent counter full of held places withholds only once the patience is spent.
async fn a_silent_counter_held_past_the_patience_withholds(cache: Fixture) {
    let account = RateLimit::new("slow:account", 1, MINUTE);
    let by = |name: &str| FailureLimits {
        open: vec![RateLimit::new(name, 5, MINUTE)],
        silent: vec![account.clone()],
        patience: Duration::from_millis(200),
    };
    assert_eq!(cache.limiter.reserve(&by("slow:alice")).await.unwrap(), Reservation::Taken);
    let started = Instant::now();
    let got = cache.other_instance.reserve(&by("slow:138")).await.unwrap();
    assert!(matches!(got, Reservation::Withheld { .. }), "{got:?}");
    assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());
}

/// A reset forgets failures, not the places held by checks still in flight.
async fn a_reset_keeps_the_places_held(cache: Fixture) {
    let limits = open(&[RateLimit::new("reset:account", 2, MINUTE)], Duration::ZERO);
    fail(cache.limiter.as_ref(), &limits).await;
    assert_eq!(cache.limiter.reserve(&limits).await.unwrap(), Reservation::Taken);
    cache.other_instance.reset("reset:account").await.unwrap();
    // One place is still held: one more try gets a place, the next finds the counter full.
    assert_eq!(cache.limiter.reserve(&limits).await.unwrap(), Reservation::Taken);
    let got = cache.limiter.reserve(&limits).await.unwrap();
    assert_eq!(got, Reservation::Refused { retry_after: Duration::from_secs(1) });
}

async fn a_released_hit_is_given_back_to_every_limit_and_never_below_zero(cache: Fixture) {
    let resend = RateLimit::new("released:resend", 1, MINUTE);
    let daily = RateLimit::new("released:daily", 2, MINUTE);
    let both = [resend.clone(), daily.clone()];
    assert_eq!(cache.limiter.acquire(&both).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.acquire(&both).await.unwrap(), RateDecision::Limited { .. }));
    cache.other_instance.release(&both).await.unwrap();
    // Both hits are back: the resend window is open again and the daily count is 0 of 2.
    assert_eq!(cache.limiter.acquire(&both).await.unwrap(), RateDecision::Allowed);
    cache.limiter.release(std::slice::from_ref(&resend)).await.unwrap();
    assert_eq!(cache.limiter.acquire(&both).await.unwrap(), RateDecision::Allowed);
    cache.limiter.release(std::slice::from_ref(&resend)).await.unwrap();
    assert!(matches!(cache.limiter.acquire(&both).await.unwrap(), RateDecision::Limited { .. }), "daily is full");
    // Releasing more than was taken leaves the counter at zero, not below.
    for _ in 0..3 {
        cache.limiter.release(std::slice::from_ref(&daily)).await.unwrap();
    }
    let daily_only = [daily];
    assert_eq!(cache.limiter.acquire(&daily_only).await.unwrap(), RateDecision::Allowed);
    assert_eq!(cache.limiter.acquire(&daily_only).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.acquire(&daily_only).await.unwrap(), RateDecision::Limited { .. }));
}

fn mini_program_identity(openid: &str) -> IdentityKey {
    IdentityKey { provider: OAuthProvider::WechatMiniProgram, app_id: "wx-mp".into(), openid: openid.into() }
}

async fn a_session_key_is_kept_per_identity_replaced_by_the_newest_and_expires(cache: Fixture) {
    let alice = mini_program_identity(&uuid::Uuid::new_v4().to_string());
    let bob = mini_program_identity(&uuid::Uuid::new_v4().to_string());
    assert_eq!(cache.session_keys.get(&alice).await.unwrap(), None);
    cache.session_keys.keep(&alice, "key-1", MINUTE).await.unwrap();
    cache.session_keys.keep(&bob, "key-b", Duration::from_millis(50)).await.unwrap();
    cache.session_keys.keep(&alice, "key-2", MINUTE).await.unwrap();
    assert_eq!(cache.session_keys.get(&alice).await.unwrap().as_deref(), Some("key-2"));
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(cache.session_keys.get(&bob).await.unwrap(), None);
    assert_eq!(cache.session_keys.get(&alice).await.unwrap().as_deref(), Some("key-2"));
}
