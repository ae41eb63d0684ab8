//! Token standings and accounts answered from memory, as long as every change
//! to an account is sure to reach this instance.
//!
//! Each authenticated request needs the account and whether its token was
//! logged out. Read from the database that is one query per request, and
//! PostgreSQL becomes the ceiling. Here the answer is kept in memory
//! ([`StandingCache`], read through [`CachedTokenStandings`]) and dropped by
//! the events that change it, never by waiting: every port that writes an
//! account has one wrapper here, which tells the change
//! ([`AccountChanges`](crate::account_changes::AccountChanges)) before the
//! request answers, so that this instance drops the account at once and the
//! others hear of it ([`crate::account_changes`] says how, and when memory
//! stops answering because news might be missed):
//! - [`CachedUserRepository`]: profile, mobile, email and password writes;
//!   it also answers availability checks of surely free names from the
//!   taken-names filter ([`crate::taken_names`]) and tells it the names taken;
//! - [`CachedTokenStandings`]: logouts and "sign out everywhere";
//! - [`AnnouncingLoginStore`], [`AnnouncingPasswordChangeStore`],
//!   [`AnnouncingEmailChangeStore`]: logins (the account kept, with its new
//!   `last_login`), new passwords, new pending emails;
//! - [`AnnouncingRegistrationStore`], [`AnnouncingOAuthIdentities`]: new
//!   accounts, in nobody's memory yet, whose names the filter must learn.
//!
//! The time-to-live bounds only changes made outside the service (an operator
//! editing a row by hand) on an instance alone, which reads no account-change
//! log.

mod announcing_stores;
mod cached_token_standings;
mod cached_user_repository;
mod standing_cache;

pub use announcing_stores::{
    AnnouncingAccountDeletions, AnnouncingEmailChangeStore, AnnouncingLoginStore, AnnouncingOAuthIdentities,
    AnnouncingPasswordChangeStore, AnnouncingRegistrationStore,
};
pub use cached_token_standings::CachedTokenStandings;
pub use cached_user_repository::CachedUserRepository;
pub use standing_cache::{ReadTicket, StandingCache};
