use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::UserId;

use super::{Announcement, RedisAccountChanges, StandingCache};

/// Where a change to an account is told: this instance's memory at once, and
/// the other instances through Redis when there are any.
pub struct AccountChanges {
    cache: Arc<StandingCache>,
    others: Option<Arc<RedisAccountChanges>>,
}

impl AccountChanges {
    /// One instance alone (the embedded mode): only this memory to clear.
    pub fn local(cache: Arc<StandingCache>) -> Self {
        Self { cache, others: None }
    }

    pub fn shared(cache: Arc<StandingCache>, others: Arc<RedisAccountChanges>) -> Self {
        Self { cache, others: Some(others) }
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
