//! A single-process cache: one map behind one mutex, entries with deadlines.
//!
//! One lock makes every multi-key check-and-update atomic without scripts;
//! operations are microseconds long, so the lock is never held across I/O.

mod captcha_store;
mod code_store;
mod rate_limiter;
mod readiness;
mod session_key_store;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use application::ports::CacheError;
use parking_lot::Mutex;

use crate::security::CodeDigester;

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

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    inserts_since_sweep: usize,
}

impl Entries {
    fn live(&mut self, key: &str, now: Instant) -> Option<&mut Entry> {
        if self.map.get(key).is_some_and(|entry| entry.expires_at <= now) {
            self.map.remove(key);
        }
        self.map.get_mut(key)
    }

    fn insert(&mut self, key: String, entry: Entry, capacity: usize, now: Instant) -> Result<(), CacheError> {
        self.inserts_since_sweep += 1;
        let replacing = self.map.contains_key(&key);
        if !replacing && (self.map.len() >= capacity || self.inserts_since_sweep >= SWEEP_EVERY) {
            self.map.retain(|_, entry| entry.expires_at > now);
            self.inserts_since_sweep = 0;
            if self.map.len() >= capacity {
                return Err(CacheError::Full);
            }
        }
        self.map.insert(key, entry);
        Ok(())
    }
}

/// Expired entries are dropped when read, and all at once every this many inserts.
const SWEEP_EVERY: usize = 4096;

/// The embedded cache: captchas, codes and rate-limit counters for one process.
pub struct MemoryCache {
    entries: Mutex<Entries>,
    capacity: usize,
    digester: CodeDigester,
}

impl MemoryCache {
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    pub fn new(digester: CodeDigester, capacity: usize) -> Self {
        Self { entries: Mutex::new(Entries::default()), capacity, digester }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map.len()
    }
}

fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl).unwrap_or(now + Duration::from_secs(365 * 24 * 60 * 60))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn refuses_new_keys_when_full_of_live_entries_but_reclaims_expired_ones() {
        let cache = MemoryCache::new(CodeDigester::new(b"k"), 2);
        let now = Instant::now();
        let mut entries = cache.entries.lock();
        let short = Entry { value: Value::Counter(1), expires_at: now + Duration::from_millis(1) };
        let long = Entry { value: Value::Counter(1), expires_at: now + Duration::from_secs(60) };
        entries.insert("a".into(), short, 2, now).unwrap();
        entries.insert("b".into(), long.clone(), 2, now).unwrap();
        assert!(matches!(entries.insert("c".into(), long.clone(), 2, now), Err(CacheError::Full)));
        entries.insert("b".into(), long.clone(), 2, now).unwrap();
        let later = now + Duration::from_millis(5);
        entries.insert("c".into(), long, 2, later).unwrap();
        drop(entries);
        assert_eq!(cache.len(), 2);
    }
}
