use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::UserId;

use super::{Announcement, RedisAccountChanges, StandingCache, TakenName, TakenNames};

/// Where a change to an account is told: this instance's memory at once, and
/// the other instances through Redis when there are any.
pub struct AccountChanges {
    cache: Arc<StandingCache>,
    names: Option<Arc<TakenNames>>,
    others: Option<Arc<RedisAccountChanges>>,
}

impl AccountChanges {
    /// One instance alone (the embedded mode): only this memory to clear.
    pub fn local(cache: Arc<StandingCache>) -> Self {
        Self { cache, names: None, others: None }
    }

    pub fn shared(cache: Arc<StandingCache>, others: Arc<RedisAccountChanges>) -> Self {
        Self { cache, names: None, others: Some(others) }
    }

    /// Also tells names taken to this filter (and to the other instances').
    #[must_use]
    pub fn noting_names(mut self, names: Arc<TakenNames>) -> Self {
        self.names = Some(names);
        self
    }

    /// These names are about to be taken, or just were: the filter here and
    /// the other instances' filters count them as taken from now on.
    pub async fn announce_all_taken(&self, taken: &[TakenName<'_>]) {
        let Some(names) = &self.names else { return };
        for name in taken {
            let prints = names.note(*name);
            if let Some(others) = &self.others {
                for print in prints {
                    others.publish(Announcement::Taken(print)).await;
                }
            }
        }
    }

    /// Called after every write to `user`, whether it reported success or
    /// not: a write that timed out may still have committed.
    pub async fn announce(&self, user: UserId) {
        self.cache.forget(user);
        if let Some(others) = &self.others {
            others.publish(Announcement::Changed(user)).await;
        }
    }

    /// Called after a login's `last_login` write succeeded: the account
    /// stays in memory with the new time, here and on the other instances.
    pub async fn announce_login(&self, user: UserId, at: DateTime<Utc>) {
        self.cache.record_login(user, at);
        if let Some(others) = &self.others {
            others.publish(Announcement::LoggedIn(user, at)).await;
        }
    }
}
