use std::sync::Arc;

use application::ports::AccountChange;
use chrono::{DateTime, Utc};
use domain::UserId;

use super::RedisAccountChanges;
use crate::account_cache::StandingCache;
use crate::taken_names::{TakenName, TakenNames};

/// What one instance tells the others on the account-change channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement {
    /// Nothing changed: the sender is alive (silence means a stalled channel).
    Heartbeat,
    /// Anything about the account may have changed: drop it.
    Changed(UserId),
    /// Only `last_login` moved: update it in place.
    LoggedIn(UserId, DateTime<Utc>),
    /// A username, mobile or email is (about to be) taken: its fingerprint
    /// (`NameFingerprints`), never the name itself.
    Taken(u64),
}

const HEARTBEAT: &str = "alive";
const LOGGED_IN: &str = "login:";
const TAKEN: &str = "taken:";

impl Announcement {
    /// The message text. A change is the bare account id, as instances of an
    /// earlier release send and expect it.
    pub fn encode(self) -> String {
        match self {
            Self::Heartbeat => HEARTBEAT.to_owned(),
            Self::Changed(user) => user.0.to_string(),
            Self::LoggedIn(user, at) => format!("{LOGGED_IN}{}:{}", user.0, at.timestamp_micros()),
            Self::Taken(print) => format!("{TAKEN}{print:016x}"),
        }
    }

    /// `None` for a message this release does not understand: the listener
    /// then drops everything, since it cannot tell what changed.
    pub fn decode(text: &str) -> Option<Self> {
        if text == HEARTBEAT {
            return Some(Self::Heartbeat);
        }
        if let Some(login) = text.strip_prefix(LOGGED_IN) {
            let (user, micros) = login.split_once(':')?;
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            return Some(Self::LoggedIn(UserId(user.parse().ok()?), at));
        }
        if let Some(print) = text.strip_prefix(TAKEN) {
            return u64::from_str_radix(print, 16).ok().map(Self::Taken);
        }
        text.parse().ok().map(|id| Self::Changed(UserId(id)))
    }
}

/// What this instance keeps in memory that announcements keep current: the
/// accounts behind token checks and, when on, the filter of taken names.
#[derive(Clone)]
pub struct InstanceMemory {
    accounts: Arc<StandingCache>,
    names: Option<Arc<TakenNames>>,
}

impl InstanceMemory {
    pub fn new(accounts: Arc<StandingCache>, names: Option<Arc<TakenNames>>) -> Self {
        Self { accounts, names }
    }

    /// Whether every change made elsewhere reaches this instance.
    pub fn set_listening(&self, listening: bool) {
        self.accounts.set_listening(listening);
        if let Some(names) = &self.names {
            names.set_listening(listening);
        }
    }

    pub fn is_listening(&self) -> bool {
        self.accounts.is_listening()
    }

    /// An announcement from another instance, or one of this instance's own
    /// ([`AccountChanges`]); `None` for one this release does not understand,
    /// so nothing it might have changed is trusted.
    pub fn hear(&self, announcement: Option<Announcement>) {
        match announcement {
            Some(Announcement::Heartbeat) => {}
            Some(Announcement::Changed(user)) => self.accounts.forget(user),
            Some(Announcement::LoggedIn(user, at)) => self.accounts.record_login(user, at),
            Some(Announcement::Taken(print)) => {
                if let Some(names) = &self.names {
                    names.note_print(print);
                }
            }
            None => self.missed(),
        }
    }

    /// Changes read from the account-change log (some heard already on Redis:
    /// applying one twice is harmless).
    pub fn apply(&self, changes: &[AccountChange]) {
        for change in changes {
            self.accounts.forget(change.user);
            if let (Some(names), Some(row)) = (&self.names, &change.names) {
                names.note_row(row);
            }
        }
    }

    /// Changes may have been missed for good: nothing remembered is kept, and
    /// the taken-names filter is built anew from the table.
    pub fn start_over(&self) {
        self.accounts.forget_all();
        if let Some(names) = &self.names {
            names.set_listening(true);
        }
    }

    /// Announcements were lost: which accounts and names they named is unknown.
    pub fn missed(&self) {
        self.accounts.forget_all();
        if let Some(names) = &self.names {
            names.set_listening(self.is_listening());
        }
    }
}

/// Where a change to an account is told: this instance's memory at once, which
/// hears it as the others will, and the other instances through Redis when
/// there are any.
pub struct AccountChanges {
    memory: InstanceMemory,
    others: Option<Arc<RedisAccountChanges>>,
}

impl AccountChanges {
    /// One instance alone (the embedded mode): only this memory to tell.
    pub fn local(memory: InstanceMemory) -> Self {
        Self { memory, others: None }
    }

    pub fn shared(memory: InstanceMemory, others: Arc<RedisAccountChanges>) -> Self {
        Self { memory, others: Some(others) }
    }

    /// These names are about to be taken, or just were: the filter here and
    /// the other instances' filters count them as taken from now on.
    pub async fn announce_all_taken(&self, taken: &[TakenName<'_>]) {
        let Some(names) = &self.memory.names else { return };
        for name in taken {
            for print in names.note(*name) {
                self.tell_others(Announcement::Taken(print)).await;
            }
        }
    }

    /// Called after every write to `user`, whether it reported success or
    /// not: a write that timed out may still have committed.
    pub async fn announce(&self, user: UserId) {
        self.tell(Announcement::Changed(user)).await;
    }

    /// Called after a login's `last_login` write succeeded: the account
    /// stays in memory with the new time, here and on the other instances.
    pub async fn announce_login(&self, user: UserId, at: DateTime<Utc>) {
        self.tell(Announcement::LoggedIn(user, at)).await;
    }

    async fn tell(&self, announcement: Announcement) {
        self.memory.hear(Some(announcement));
        self.tell_others(announcement).await;
    }

    async fn tell_others(&self, announcement: Announcement) {
        if let Some(others) = &self.others {
            others.publish(announcement).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_announcement_reads_back_as_itself() {
        let at = DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();
        for announcement in
            [Announcement::Heartbeat, Announcement::Changed(UserId(42)), Announcement::LoggedIn(UserId(42), at)]
        {
            assert_eq!(Announcement::decode(&announcement.encode()), Some(announcement));
        }
    }

    #[test]
    fn a_change_is_the_bare_id_and_garbage_is_not_understood() {
        assert_eq!(Announcement::decode("7"), Some(Announcement::Changed(UserId(7))));
        for garbage in ["", "login:", "login:7", "login:x:1", "login:7:y", "taken:", "taken:xyz", "seven"] {
            assert_eq!(Announcement::decode(garbage), None, "{garbage:?}");
        }
    }
}
