use std::sync::Arc;

use super::{AccountChange, Announcement, StandingCache, TakenNames};

/// What this instance keeps in memory that announcements keep current: the
/// accounts behind token checks and, when on, the filter of taken names.
#[derive(Clone)]
pub struct InstanceMemory {
    pub accounts: Arc<StandingCache>,
    pub names: Option<Arc<TakenNames>>,
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

    /// An announcement from another instance; `None` for one this release
    /// does not understand, so nothing it might have changed is trusted.
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
