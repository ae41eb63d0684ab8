//! How news of a change to an account reaches the memory of every instance,
//! so that none answers from a copy older than the change.
//!
//! A write is told ([`AccountChanges`]) to this instance's memory at once and
//! to the others as an [`Announcement`]; each memory ([`InstanceMemory`])
//! hears the same announcement the same way, its own or another's.
//! - With Redis, announcements travel on a pub/sub channel
//!   ([`RedisAccountChanges`]). While that subscription is down or silent,
//!   nothing is answered from memory: every check reads the database again,
//!   and the memory is cleared when the channel is heard again, since
//!   announcements made meanwhile were missed.
//! - Redis may still lose an announcement (the writer cut off from Redis, or
//!   killed between its commit and its publish), so with several instances
//!   memory answers only under a [`FreshnessLease`]: triggers write every
//!   change to the account-change log in the change's own transaction
//!   ([`AccountChangeLog`](application::ports::AccountChangeLog)), every
//!   instance reads it every 200 ms ([`follow_account_changes`]), and memory
//!   answers only within [`FRESHNESS_BOUND`] of the start of the last complete
//!   read. Redis makes the news arrive sooner; the log makes it arrive.

mod announcements;
mod change_log;
mod redis_account_changes;

pub use announcements::{AccountChanges, Announcement, InstanceMemory};
pub use change_log::{FRESHNESS_BOUND, FreshnessLease, follow_account_changes};
pub use redis_account_changes::RedisAccountChanges;
