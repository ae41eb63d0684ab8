//! The contracts of the cache ports (captchas, codes, rate limits), for the
//! in-process cache and Redis.

use std::sync::Arc;
use std::time::Duration;

use adapters::cache::{MemoryCache, RedisCache};
use adapters::security::CodeDigester;
use application::ports::{
    CaptchaStore, Channel, CodeCheck, CodeKey, CodePurpose, IdentityKey, OAuthProvider, RateDecision, RateLimit,
    RateLimiter, SessionKeyStore, VerificationCodeStore,
};
use domain::{CaptchaId, CaptchaText, VerificationCode};
use test_support::backends::backend_url;

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
    let cache = Arc::new(MemoryCache::new(CodeDigester::new(b"contract"), 10_000));
    Some(Fixture {
        captchas: cache.clone(),
        codes: cache.clone(),
        limiter: cache.clone(),
        session_keys: cache.clone(),
        other_instance: cache,
    })
}

async fn redis(test: &str) -> Option<Fixture> {
    let url = backend_url("TEST_REDIS_URL", test)?;
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    let connect = || RedisCache::connect(&url, &prefix, CodeDigester::new(b"contract"), Duration::from_secs(2));
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
    backends: [memory, redis],
    tests: [
        a_captcha_is_taken_once,
        a_captcha_expires,
        the_right_code_is_accepted_once,
        the_last_allowed_wrong_try_burns_the_code,
        a_new_code_replaces_the_old_one_and_its_failures,
        codes_expire,
        codes_for_other_targets_or_purposes_do_not_match,
        a_limit_allows_up_to_its_maximum_then_tells_the_wait,
        a_refused_hit_counts_against_no_limit,
        a_window_reopens_after_it_expires,
        a_zero_maximum_turns_the_limit_off,
        concurrent_hits_from_two_instances_never_exceed_the_maximum,
        reserved_failures_lock_once_the_maximum_is_reached_for_a_whole_window,
        a_refused_reservation_takes_no_slot_and_reset_forgets,
        a_reserved_slot_given_back_is_free_again,
        concurrent_reservations_from_two_instances_never_exceed_the_maximum,
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

async fn a_window_reopens_after_it_expires(cache: Fixture) {
    let limit = [RateLimit::new("window", 1, Duration::from_millis(80))];
    assert_eq!(cache.limiter.acquire(&limit).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.acquire(&limit).await.unwrap(), RateDecision::Limited { .. }));
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(cache.limiter.acquire(&limit).await.unwrap(), RateDecision::Allowed);
}

async fn a_zero_maximum_turns_the_limit_off(cache: Fixture) {
    for _ in 0..5 {
        let decision = cache.limiter.acquire(&[RateLimit::new("off", 0, MINUTE)]).await.unwrap();
        assert_eq!(decision, RateDecision::Allowed);
    }
}

async fn concurrent_hits_from_two_instances_never_exceed_the_maximum(cache: Fixture) {
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let limiter = if i % 2 == 0 { cache.limiter.clone() } else { cache.other_instance.clone() };
            tokio::spawn(async move { limiter.acquire(&[RateLimit::new("race", 7, MINUTE)]).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        if task.await.unwrap() == RateDecision::Allowed {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 7);
}

async fn reserved_failures_lock_once_the_maximum_is_reached_for_a_whole_window(cache: Fixture) {
    let limit = [RateLimit::new("failures", 2, Duration::from_millis(300))];
    assert_eq!(cache.limiter.reserve(&limit).await.unwrap(), RateDecision::Allowed);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(cache.other_instance.reserve(&limit).await.unwrap(), RateDecision::Allowed);
    // The slot that fills the counter starts the window again: a full 300 ms lock.
    let RateDecision::Limited { retry_after } = cache.limiter.reserve(&limit).await.unwrap() else {
        panic!("two failures must lock")
    };
    assert!(retry_after > Duration::from_millis(200), "{retry_after:?}");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(cache.limiter.reserve(&limit).await.unwrap(), RateDecision::Allowed);
}

async fn a_refused_reservation_takes_no_slot_and_reset_forgets(cache: Fixture) {
    let account = RateLimit::new("account", 2, MINUTE);
    let ip = RateLimit::new("ip", 3, MINUTE);
    let both = [account.clone(), ip.clone()];
    for _ in 0..2 {
        assert_eq!(cache.limiter.reserve(&both).await.unwrap(), RateDecision::Allowed);
    }
    let RateDecision::Limited { retry_after } = cache.limiter.reserve(&both).await.unwrap() else {
        panic!("the account is full")
    };
    assert!(retry_after > Duration::from_secs(55) && retry_after <= MINUTE, "{retry_after:?}");
    // The refused try left the address at 2 of 3.
    assert_eq!(cache.limiter.reserve(std::slice::from_ref(&ip)).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.reserve(std::slice::from_ref(&ip)).await.unwrap(), RateDecision::Limited { .. }));
    cache.other_instance.reset("account").await.unwrap();
    assert_eq!(cache.limiter.reserve(&[account]).await.unwrap(), RateDecision::Allowed);
}

async fn a_reserved_slot_given_back_is_free_again(cache: Fixture) {
    let limit = [RateLimit::new("given-back", 1, MINUTE)];
    assert_eq!(cache.limiter.reserve(&limit).await.unwrap(), RateDecision::Allowed);
    assert!(matches!(cache.limiter.reserve(&limit).await.unwrap(), RateDecision::Limited { .. }));
    cache.other_instance.release(&limit).await.unwrap();
    assert_eq!(cache.limiter.reserve(&limit).await.unwrap(), RateDecision::Allowed);
}

/// A burst of tries for one account from two instances: exactly the maximum
/// get a slot, whatever their interleaving; the rest are told the wait.
async fn concurrent_reservations_from_two_instances_never_exceed_the_maximum(cache: Fixture) {
    let limits = [RateLimit::new("burst:account", 5, MINUTE), RateLimit::new("burst:ip", 30, MINUTE)];
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let limiter = if i % 2 == 0 { cache.limiter.clone() } else { cache.other_instance.clone() };
            let limits = limits.clone();
            tokio::spawn(async move { limiter.reserve(&limits).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        match task.await.unwrap() {
            RateDecision::Allowed => allowed += 1,
            RateDecision::Limited { retry_after } => assert!(retry_after > Duration::from_secs(55), "{retry_after:?}"),
        }
    }
    assert_eq!(allowed, 5);
    // Only the five reserved tries count against the address: 25 of 30 left.
    let ip = [limits[1].clone()];
    for _ in 0..25 {
        assert_eq!(cache.limiter.reserve(&ip).await.unwrap(), RateDecision::Allowed);
    }
    assert!(matches!(cache.limiter.reserve(&ip).await.unwrap(), RateDecision::Limited { .. }));
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
