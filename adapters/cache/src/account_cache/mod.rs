//! Token standings and accounts answered from memory, as long as every change
//! to an account is sure to reach this instance.
//!
//! Each authenticated request needs the account and whether its token was
//! logged out. Read from the database that is one query per request, and
//! PostgreSQL becomes the ceiling. Here the answer is kept in memory and
//! dropped by the events that change it, never by waiting:
//! - every write to an account goes through a decorator of its port
//!   ([`InvalidatingUserRepository`], [`InvalidatingLoginStore`], [`InvalidatingPasswordChangeStore`],
//!   [`InvalidatingEmailChangeStore`], and [`CachedTokenStandings`] for logouts
//!   and "sign out everywhere"), which drops the account here before the
//!   request answers and announces it to the other instances ([`AccountChanges`]);
//! - with Redis, the other instances hear it on a pub/sub channel
//!   ([`RedisAccountChanges`]). While that subscription is down, nothing is
//!   answered from memory: every check reads the database again, and the
//!   memory is cleared when the subscription is back, since announcements made
//!   meanwhile were missed.
//!
//! Redis may lose an announcement (the writer cut off from Redis, or killed
//! between its commit and its publish), so with several instances memory
//! answers only under a [`FreshnessLease`]: triggers write every change to the
//! account-change log in the change's own transaction ([`AccountChangeLog`]),
//! every instance reads it every 200 ms ([`follow_account_changes`]), and memory
//! answers only within a second of the start of the last complete read. Redis
//! makes the news arrive sooner; the log makes it arrive.
//!
//! The time-to-live bounds only changes made outside the service (an operator
//! editing a row by hand).
//!
//! The same announcements keep a filter of the taken usernames, mobiles and
//! emails current ([`TakenNames`], [`NameFilteredUserRepository`],
//! [`NameNotingRegistrationStore`]), so that an
//! availability check of a free name needs no query.

mod account_changes;
mod announcement;
mod cached_token_standings;
mod change_log_follower;
mod freshness_lease;
mod instance_memory;
mod invalidating_email_change_store;
mod invalidating_login_store;
mod invalidating_password_change_store;
mod invalidating_user_repository;
mod name_filtered_user_repository;
mod name_fingerprints;
mod name_noting_oauth_identities;
mod name_noting_registration_store;
mod redis_account_changes;
mod standing_cache;
mod taken_name;
mod taken_names;

pub use account_changes::AccountChanges;
pub use announcement::Announcement;
pub use cached_token_standings::CachedTokenStandings;
pub use change_log_follower::follow_account_changes;
pub use freshness_lease::{FRESHNESS_BOUND, FreshnessLease};
pub use instance_memory::InstanceMemory;
pub use invalidating_email_change_store::InvalidatingEmailChangeStore;
pub use invalidating_login_store::InvalidatingLoginStore;
pub use invalidating_password_change_store::InvalidatingPasswordChangeStore;
pub use invalidating_user_repository::InvalidatingUserRepository;
pub use name_filtered_user_repository::NameFilteredUserRepository;
pub use name_fingerprints::NameFingerprints;
pub use name_noting_oauth_identities::NameNotingOAuthIdentities;
pub use name_noting_registration_store::NameNotingRegistrationStore;
pub use redis_account_changes::RedisAccountChanges;
pub use standing_cache::{ReadTicket, StandingCache};
pub use taken_name::{NewUserNames, TakenName};
pub use taken_names::TakenNames;

// The ports this module reads the database through; storage implements them.
use application::ports::{AccountChange, AccountChangeLog, TakenNameRow, TakenNameSource};
