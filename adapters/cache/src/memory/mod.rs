//! A single-process cache: one map behind one mutex, entries with deadlines.
//!
//! One lock makes every multi-key check-and-update atomic without scripts;
//! operations are microseconds long, so the lock is never held across I/O.

mod captcha_store;
mod code_store;
mod rate_limiter;
mod readiness;
mod session_key_store;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use application::ports::CacheError;
use parking_lot::Mutex;

use security::CodeDigester;

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Code { digest: [u8; 32], failures: u32 },
    Counter(u32),
}

#[derive(Debug, Clone)]
struct Entry {
    value: Value,
    expires_at: Instant,
}

/// Which entries may be evicted when the cache is full, in the order they go.
/// Captchas first (cheapest to redo: draw another), then pending codes (the
/// person asks for a new one). Rate-limit counters are never evicted: losing
/// one would reset a limit or lift a login lock, and a spent step token is
/// recorded as one too. Session keys are not evicted either (a person in the
/// middle of binding a phone would lose theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evictable {
    Captcha = 0,
    Code = 1,
}

impl Evictable {
    /// By the key layouts of `crate` (`captcha:…`, `code:…`).
    fn of(key: &str) -> Option<Self> {
        if key.starts_with("captcha:") {
            Some(Self::Captcha)
        } else if key.starts_with("code:") {
            Some(Self::Code)
        } else {
            None
        }
    }
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    inserts_since_sweep: usize,
    /// Insertion order of the evictable entries, oldest first, per [`Evictable`]
    /// class. An item is still current while the map holds its key with the same
    /// deadline; stale items (taken, replaced, expired) are skipped and dropped.
    evictable: [VecDeque<(String, Instant)>; 2],
    warned_over_capacity: bool,
}

impl Entries {
    fn live(&mut self, key: &str, now: Instant) -> Option<&mut Entry> {
        if self.map.get(key).is_some_and(|entry| entry.expires_at <= now) {
            self.map.remove(key);
        }
        self.map.get_mut(key)
    }

    /// Stores `entry`, making room when the cache is full: expired entries go
    /// first, then the oldest captchas, then the oldest codes. When only
    /// entries that must never be evicted are left, it is stored over capacity
    /// rather than refused: a full cache must not turn into 503s for everyone.
    fn insert(&mut self, key: String, entry: Entry, capacity: usize, now: Instant) -> Result<(), CacheError> {
        self.inserts_since_sweep += 1;
        if !self.map.contains_key(&key) {
            let full = self.map.len() >= capacity;
            // A full sweep walks every entry, so a full cache sweeps only every
            // sixteenth of its capacity; in between, the oldest captchas go
            // (the oldest are the likeliest to have expired anyway).
            let sweep_when_full = (capacity / 16).max(1);
            if self.inserts_since_sweep >= SWEEP_EVERY || (full && self.inserts_since_sweep >= sweep_when_full) {
                self.sweep(now);
            }
            while self.map.len() >= capacity && self.evict_oldest() {}
            if self.map.len() >= capacity {
                if !self.warned_over_capacity {
                    tracing::warn!(capacity, "in-process cache over capacity with entries that are never evicted");
                    self.warned_over_capacity = true;
                }
            } else {
                self.warned_over_capacity = false;
            }
        }
        if let Some(class) = Evictable::of(&key) {
            self.evictable[class as usize].push_back((key.clone(), entry.expires_at));
        }
        self.map.insert(key, entry);
        Ok(())
    }

    fn is_current(map: &HashMap<String, Entry>, key: &str, expires_at: Instant) -> bool {
        map.get(key).is_some_and(|entry| entry.expires_at == expires_at)
    }

    /// Drops expired entries and the order records that no longer name an entry.
    fn sweep(&mut self, now: Instant) {
        self.map.retain(|_, entry| entry.expires_at > now);
        let map = &self.map;
        for queue in &mut self.evictable {
            queue.retain(|(key, expires_at)| Self::is_current(map, key, *expires_at));
        }
        self.inserts_since_sweep = 0;
    }

    /// Removes the oldest evictable entry; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        for queue in &mut self.evictable {
            while let Some((key, expires_at)) = queue.pop_front() {
                if Self::is_current(&self.map, &key, expires_at) {
                    self.map.remove(&key);
                    return true;
                }
            }
        }
        false
    }
}

/// Expired entries are dropped when read, and all at once every this many inserts.
const SWEEP_EVERY: usize = 4096;

/// The embedded cache: captchas, codes and rate-limit counters for one process.
pub struct MemoryCache {
    entries: Mutex<Entries>,
    capacity: usize,
    digester: CodeDigester,
    /// Told whenever places held in failure counters are settled or reset,
    /// to wake the tries waiting for them.
    settled: tokio::sync::Notify,
}

impl MemoryCache {
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    pub fn new(digester: CodeDigester, capacity: usize) -> Self {
        Self { entries: Mutex::new(Entries::default()), capacity, digester, settled: tokio::sync::Notify::new() }
    }
}

fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl).unwrap_or(now + Duration::from_secs(365 * 24 * 60 * 60))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn counter(expires_at: Instant) -> Entry {
        Entry { value: Value::Counter(1), expires_at }
    }

    fn text(expires_at: Instant) -> Entry {
        Entry { value: Value::Text("AB12".into()), expires_at }
    }

    fn keys(entries: &Entries) -> Vec<&str> {
        let mut keys: Vec<&str> = entries.map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn a_full_cache_reclaims_expired_entries_first() {
        let now = Instant::now();
        let mut entries = Entries::default();
        entries.insert("captcha:a".into(), text(now + Duration::from_secs(60)), 2, now).unwrap();
        entries.insert("rate:b".into(), counter(now + Duration::from_millis(1)), 2, now).unwrap();
        let later = now + Duration::from_millis(5);
        entries.insert("rate:c".into(), counter(later + Duration::from_secs(60)), 2, later).unwrap();
        assert_eq!(keys(&entries), ["captcha:a", "rate:c"]);
    }

    #[test]
    fn a_full_cache_evicts_the_oldest_captchas_then_codes_and_never_counters() {
        let now = Instant::now();
        let minute = now + Duration::from_secs(60);
        let mut entries = Entries::default();
        entries.insert("rate:lock".into(), counter(minute), 4, now).unwrap();
        entries.insert("code:sms:register:13800138000".into(), text(minute), 4, now).unwrap();
        entries.insert("captcha:old".into(), text(minute), 4, now).unwrap();
        entries.insert("captcha:new".into(), text(minute), 4, now).unwrap();
        entries.insert("captcha:newer".into(), text(minute), 4, now).unwrap();
        assert_eq!(keys(&entries), ["captcha:new", "captcha:newer", "code:sms:register:13800138000", "rate:lock"]);
        entries.insert("rate:other".into(), counter(minute), 4, now).unwrap();
        entries.insert("rate:third".into(), counter(minute), 4, now).unwrap();
        entries.insert("rate:fourth".into(), counter(minute), 4, now).unwrap();
        assert_eq!(keys(&entries), ["rate:fourth", "rate:lock", "rate:other", "rate:third"]);
        // Only counters left: stored over capacity rather than refused.
        entries.insert("rate:fifth".into(), counter(minute), 4, now).unwrap();
        assert_eq!(entries.map.len(), 5);
    }

    #[test]
    fn a_taken_entry_s_record_does_not_evict_its_newer_namesake() {
        let now = Instant::now();
        let minute = |at: Instant| text(at + Duration::from_secs(60));
        let mut entries = Entries::default();
        entries.insert("captcha:a".into(), minute(now), 10, now).unwrap();
        entries.map.remove("captcha:a");
        let later = now + Duration::from_millis(1);
        entries.insert("captcha:b".into(), minute(later), 10, later).unwrap();
        let latest = later + Duration::from_millis(1);
        entries.insert("captcha:a".into(), minute(latest), 10, latest).unwrap();
        // The first "a" was taken; of the entries present, "b" is the oldest.
        assert!(entries.evict_oldest());
        assert_eq!(keys(&entries), ["captcha:a"]);
    }
}
