use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use application::ports::TokenStanding;
use chrono::{DateTime, Utc};
use domain::{User, UserId};
use parking_lot::RwLock;
use service_metrics::AccountCacheGauges;

use crate::account_changes::FreshnessLease;

/// Token ids remembered per account; a person rarely has more sessions at
/// once, and a flood of fresh tokens for one account must not grow memory.
const TOKENS_PER_ACCOUNT: usize = 16;

/// Accounts as last read, with the standing of the tokens seen for each.
///
/// A read races the writes: a request may read the old row just before a
/// change commits and try to remember it just after the change was announced.
/// Every [`forget`](Self::forget) bumps an epoch, and a read remembers its
/// answer only if no forget happened since it began (its [`ReadTicket`]); the
/// epoch is checked again after storing, so a forget that slips in between
/// removes what was stored.
///
/// A login changes only `last_login`, and a flood of logins to one account
/// must not keep its readers on the database: [`record_login`](Self::record_login)
/// updates the remembered copy in place instead of dropping it, and notes the
/// time for a copy not yet remembered, which a read that began before the
/// login takes in when it is remembered.
pub struct StandingCache {
    accounts: moka::sync::Cache<UserId, Arc<CachedAccount>>,
    /// The latest login of each account that logged in lately, kept as long
    /// as a remembered copy would be, so that no read can outlive it.
    logins: moka::sync::Cache<UserId, DateTime<Utc>>,
    epoch: AtomicU64,
    /// Whether every change made elsewhere is sure to reach this instance.
    listening: AtomicBool,
    /// With several instances: memory answers only while the account-change
    /// log was read lately, whatever Redis says.
    lease: Option<Arc<FreshnessLease>>,
    gauges: AccountCacheGauges,
}

struct CachedAccount {
    user: RwLock<User>,
    revoked_by_token: RwLock<HashMap<Box<str>, bool>>,
}

impl CachedAccount {
    fn new(user: User) -> Self {
        Self { user: RwLock::new(user), revoked_by_token: RwLock::new(HashMap::new()) }
    }

    /// Takes in a fresh read of the same account, if it differs from the
    /// remembered one at most by `last_login` (logins only move it forward,
    /// so the later of the two is the current one); `false` if it changed.
    fn absorb(&self, read: &User) -> bool {
        let mut user = self.user.write();
        let latest = user.last_login.max(read.last_login);
        if *user != (User { last_login: user.last_login, ..read.clone() }) {
            return false;
        }
        user.last_login = latest;
        true
    }

    fn logged_in(&self, at: DateTime<Utc>) {
        let mut user = self.user.write();
        user.last_login = user.last_login.max(Some(at));
    }
}

/// When a read of the database began, as far as forgets are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadTicket(u64);

impl StandingCache {
    /// Holds up to `capacity` accounts, each for at most `time_to_live`.
    /// `listening` says whether changes made elsewhere reach this instance
    /// from the start (one instance alone: yes; several: once subscribed).
    pub fn new(capacity: u64, time_to_live: Duration, listening: bool) -> Self {
        Self {
            accounts: moka::sync::Cache::builder().max_capacity(capacity).time_to_live(time_to_live).build(),
            logins: moka::sync::Cache::builder().max_capacity(capacity).time_to_live(time_to_live).build(),
            epoch: AtomicU64::new(0),
            listening: AtomicBool::new(listening),
            lease: None,
            gauges: AccountCacheGauges::default(),
        }
    }

    /// Answers from memory only while `lease` is current.
    #[must_use]
    pub fn leased_by(mut self, lease: Arc<FreshnessLease>) -> Self {
        self.lease = Some(lease);
        self
    }

    /// Whether memory may answer now.
    fn may_answer(&self) -> bool {
        self.listening.load(Ordering::SeqCst) && self.lease.as_ref().is_none_or(|lease| lease.is_current())
    }

    /// Counts hits and misses, and shows whether it listens, in these gauges (`/metrics`).
    #[must_use]
    pub fn reporting_to(mut self, gauges: AccountCacheGauges) -> Self {
        gauges.listening.set(i64::from(self.is_listening()));
        self.gauges = gauges;
        self
    }

    /// The token's standing, if this account and this token were read since
    /// the account last changed.
    pub fn lookup(&self, user: UserId, token_id: &str) -> Option<TokenStanding> {
        let found = self.find(user, token_id);
        if found.is_some() { &self.gauges.hits } else { &self.gauges.misses }.inc();
        found
    }

    fn find(&self, user: UserId, token_id: &str) -> Option<TokenStanding> {
        if !self.may_answer() {
            return None;
        }
        let account = self.accounts.get(&user)?;
        let revoked = *account.revoked_by_token.read().get(token_id)?;
        Some(TokenStanding { user: account.user.read().clone(), revoked })
    }

    /// Taken before reading the database, handed to [`remember`](Self::remember).
    pub fn ticket(&self) -> ReadTicket {
        ReadTicket(self.epoch.load(Ordering::SeqCst))
    }

    /// Keeps what the database said about `token_id`, unless something was
    /// forgotten since `ticket` was taken (the answer may predate that change).
    pub fn remember(&self, ticket: ReadTicket, token_id: &str, standing: &TokenStanding) {
        if !self.may_answer() || self.epoch.load(Ordering::SeqCst) != ticket.0 {
            return;
        }
        let id = standing.user.id;
        let account = match self.accounts.get(&id) {
            Some(account) if account.absorb(&standing.user) => account,
            _ => {
                let account = Arc::new(CachedAccount::new(standing.user.clone()));
                self.accounts.insert(id, Arc::clone(&account));
                account
            }
        };
        // Stored first, then the note read: a login noted before this point
        // is taken in here, one noted after it finds the copy stored.
        if let Some(at) = self.logins.get(&id) {
            account.logged_in(at);
        }
        {
            let mut tokens = account.revoked_by_token.write();
            if tokens.len() < TOKENS_PER_ACCOUNT || tokens.contains_key(token_id) {
                tokens.insert(token_id.into(), standing.revoked);
            }
        }
        if self.epoch.load(Ordering::SeqCst) != ticket.0 {
            self.accounts.invalidate(&id);
        }
    }

    /// Drops what is known of `user`: it has just changed.
    pub fn forget(&self, user: UserId) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.accounts.invalidate(&user);
    }

    /// `user` logged in `at`: the remembered copy shows it from now on, and a
    /// read under way that predates the login takes it in when remembered.
    /// Nothing is dropped and no other read is kept out: a login flood on an
    /// account whose copy just expired would otherwise keep every reader of
    /// it on the database until a read happened to fit between two logins.
    pub fn record_login(&self, user: UserId, at: DateTime<Utc>) {
        self.logins.entry(user).and_upsert_with(|noted| noted.map_or(at, |noted| noted.into_value().max(at)));
        if let Some(account) = self.accounts.get(&user) {
            account.logged_in(at);
        }
    }

    /// Drops everything: changes may have been missed.
    pub fn forget_all(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.accounts.invalidate_all();
    }

    /// Whether changes made elsewhere reach this instance. Either way the
    /// memory is cleared: going deaf, what is kept may soon be stale; hearing
    /// again, what was announced meanwhile was missed.
    pub fn set_listening(&self, listening: bool) {
        if listening {
            self.forget_all();
            self.listening.store(true, Ordering::SeqCst);
        } else {
            self.listening.store(false, Ordering::SeqCst);
            self.forget_all();
        }
        self.gauges.listening.set(i64::from(listening));
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use domain::Profile;
    use test_support::accounts::account;

    use super::*;
    use crate::account_changes::FRESHNESS_BOUND;

    fn user(id: i64, nickname: &str) -> User {
        User { profile: Profile { nickname: Some(nickname.into()), ..Profile::default() }, ..account(id) }
    }

    fn standing(id: i64, nickname: &str, revoked: bool) -> TokenStanding {
        TokenStanding { user: user(id, nickname), revoked }
    }

    fn cache() -> StandingCache {
        StandingCache::new(100, Duration::from_secs(60), true)
    }

    #[test]
    fn a_remembered_token_is_answered_until_its_account_is_forgotten() {
        let cache = cache();
        let read = standing(1, "before", false);
        cache.remember(cache.ticket(), "jti-a", &read);
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(read));
        assert_eq!(cache.lookup(UserId(1), "jti-b"), None, "another token of the account was never read");
        assert_eq!(cache.lookup(UserId(2), "jti-a"), None);

        cache.forget(UserId(1));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
    }

    #[test]
    fn a_leased_cache_answers_and_remembers_only_while_the_lease_is_current() {
        let read = standing(1, "before", false);
        let lease = Arc::new(FreshnessLease::default());
        let leased = cache().leased_by(Arc::clone(&lease));
        leased.remember(leased.ticket(), "jti-a", &read);
        lease.renew(std::time::Instant::now());
        assert_eq!(leased.lookup(UserId(1), "jti-a"), None, "a read under no lease is not kept");
        leased.remember(leased.ticket(), "jti-a", &read);
        assert_eq!(leased.lookup(UserId(1), "jti-a"), Some(read.clone()));

        let lapsed = Arc::new(FreshnessLease::default());
        let leased = cache().leased_by(Arc::clone(&lapsed));
        std::thread::sleep(Duration::from_millis(2));
        lapsed.renew(std::time::Instant::now().checked_sub(FRESHNESS_BOUND).unwrap());
        leased.remember(leased.ticket(), "jti-a", &read);
        assert_eq!(leased.lookup(UserId(1), "jti-a"), None, "a lapsed lease: nothing kept or answered");
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_remembered() {
        let cache = cache();
        let ticket = cache.ticket();
        cache.forget(UserId(1));
        cache.remember(ticket, "jti-a", &standing(1, "stale", false));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
    }

    #[test]
    fn a_change_to_another_account_also_keeps_an_older_read_out() {
        // The epoch is shared: cheaper than one per account, and only costs a miss.
        let cache = cache();
        let ticket = cache.ticket();
        cache.forget(UserId(2));
        cache.remember(ticket, "jti-a", &standing(1, "maybe stale", false));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
    }

    #[test]
    fn tokens_of_one_account_share_its_row_and_a_newer_row_replaces_it() {
        let cache = cache();
        cache.remember(cache.ticket(), "jti-a", &standing(1, "old", false));
        cache.remember(cache.ticket(), "jti-b", &standing(1, "old", true));
        assert_eq!(cache.lookup(UserId(1), "jti-b"), Some(standing(1, "old", true)));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(standing(1, "old", false)));

        cache.remember(cache.ticket(), "jti-c", &standing(1, "new", false));
        assert_eq!(cache.lookup(UserId(1), "jti-c"), Some(standing(1, "new", false)));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None, "the tokens read with the old row go with it");
    }

    fn at(second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + second, 0).unwrap()
    }

    fn logged_in_at(standing: &TokenStanding, at: Option<DateTime<Utc>>) -> TokenStanding {
        TokenStanding { user: User { last_login: at, ..standing.user.clone() }, ..standing.clone() }
    }

    #[test]
    fn a_login_updates_the_remembered_account_in_place_and_keeps_its_tokens() {
        let cache = cache();
        let read = standing(1, "same", false);
        cache.remember(cache.ticket(), "jti-a", &read);
        cache.record_login(UserId(1), at(10));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(logged_in_at(&read, Some(at(10)))));

        cache.record_login(UserId(1), at(5));
        assert_eq!(
            cache.lookup(UserId(1), "jti-a").and_then(|s| s.user.last_login),
            Some(at(10)),
            "a login reported late does not move last_login back"
        );
    }

    #[test]
    fn a_read_from_before_a_login_does_not_bring_back_the_older_last_login() {
        let cache = cache();
        let read = standing(1, "same", false);
        cache.remember(cache.ticket(), "jti-a", &read);
        let ticket = cache.ticket();
        cache.record_login(UserId(1), at(10));
        cache.remember(ticket, "jti-b", &logged_in_at(&read, None));
        assert_eq!(cache.lookup(UserId(1), "jti-b"), Some(logged_in_at(&read, Some(at(10)))));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(logged_in_at(&read, Some(at(10)))));
    }

    #[test]
    fn a_read_that_began_before_a_login_to_an_account_not_in_memory_takes_in_its_time() {
        let cache = cache();
        let ticket = cache.ticket();
        cache.record_login(UserId(1), at(10));
        cache.record_login(UserId(1), at(5));
        let read = standing(1, "read before the login", false);
        cache.remember(ticket, "jti-a", &read);
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(logged_in_at(&read, Some(at(10)))));
    }

    #[test]
    fn a_login_to_an_account_not_in_memory_keeps_no_other_read_out() {
        let cache = cache();
        let ticket = cache.ticket();
        cache.record_login(UserId(2), at(10));
        cache.remember(ticket, "jti-a", &standing(1, "another account", false));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(standing(1, "another account", false)));
    }

    #[test]
    fn an_account_keeps_a_bounded_number_of_tokens() {
        let cache = cache();
        for n in 0..TOKENS_PER_ACCOUNT + 5 {
            cache.remember(cache.ticket(), &format!("jti-{n}"), &standing(1, "same", false));
        }
        assert!(cache.lookup(UserId(1), "jti-0").is_some());
        assert!(cache.lookup(UserId(1), &format!("jti-{}", TOKENS_PER_ACCOUNT - 1)).is_some());
        assert_eq!(cache.lookup(UserId(1), &format!("jti-{TOKENS_PER_ACCOUNT}")), None);
    }

    #[test]
    fn nothing_is_answered_or_kept_while_deaf_and_nothing_survives_going_deaf() {
        let cache = cache();
        cache.remember(cache.ticket(), "jti-a", &standing(1, "kept", false));
        cache.set_listening(false);
        assert!(!cache.is_listening());
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
        cache.remember(cache.ticket(), "jti-a", &standing(1, "read while deaf", false));

        cache.set_listening(true);
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None, "what was known before going deaf is gone");
        cache.remember(cache.ticket(), "jti-a", &standing(1, "fresh", false));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), Some(standing(1, "fresh", false)));
    }

    #[test]
    fn a_read_that_began_before_hearing_again_is_not_remembered() {
        let cache = StandingCache::new(100, Duration::from_secs(60), false);
        let ticket = cache.ticket();
        cache.set_listening(true);
        cache.remember(ticket, "jti-a", &standing(1, "read while deaf", false));
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
    }

    #[test]
    fn hits_misses_and_hearing_are_counted() {
        let gauges = AccountCacheGauges::default();
        let cache = cache().reporting_to(gauges.clone());
        assert_eq!(gauges.listening.get(), 1);
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
        cache.remember(cache.ticket(), "jti-a", &standing(1, "one", false));
        assert!(cache.lookup(UserId(1), "jti-a").is_some());
        assert!(cache.lookup(UserId(1), "jti-a").is_some());
        cache.set_listening(false);
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
        assert_eq!((gauges.hits.get(), gauges.misses.get(), gauges.listening.get()), (2, 2, 0));
    }

    #[test]
    fn forgetting_everything_drops_every_account() {
        let cache = cache();
        cache.remember(cache.ticket(), "jti-a", &standing(1, "one", false));
        cache.remember(cache.ticket(), "jti-b", &standing(2, "two", false));
        cache.forget_all();
        assert_eq!(cache.lookup(UserId(1), "jti-a"), None);
        assert_eq!(cache.lookup(UserId(2), "jti-b"), None);
    }
}
