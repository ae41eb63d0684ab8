//! Availability checks of free usernames, mobiles and emails answered
//! without a query.
//!
//! Most checks are of free names (someone typing a new username), and each was
//! one query. A Bloom filter of every taken name ([`TakenNames`]) answers
//! "free" from memory; anything else is asked of the database, so the answer
//! is wrong only for a name the filter was never told of. It is told every
//! name taken, by this instance's writes (through the user repository, the
//! registrations and the OAuth identities of [`crate::account_cache`]) and by
//! the other instances' (announcements and the account-change log of
//! [`crate::account_changes`]), and it answers only while none can be missed.
//!
//! Names are held, and travel between instances, as keyed fingerprints
//! ([`NameFingerprints`]): whoever reads the Redis channel must not learn who
//! registers.

mod filter;
mod names;

pub use filter::TakenNames;
#[cfg(test)]
pub(crate) use filter::built_without_accounts;
pub use names::{NameFingerprints, NewUserNames, TakenName};
