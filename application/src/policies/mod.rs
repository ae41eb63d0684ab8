//! The configurable rules the use cases apply: limits, lifetimes, retries and
//! retention. Each is plain data with the defaults of the contract; the
//! bootstrap fills them from configuration.

mod availability;
mod client_network;
mod delivery;
mod fixed_code_targets;
mod login;
mod oauth;
mod retention;
mod session;
mod shown_address;
mod verification;

pub use availability::AvailabilityPolicy;
pub use client_network::ClientNetwork;
pub use delivery::DeliveryPolicy;
pub use fixed_code_targets::{FixedCodeTargets, FixedCodeTargetsError};
pub use login::LoginPolicy;
pub use oauth::OAuthPolicy;
pub use retention::{ACCOUNT_CHANGE_LOG_AGE, REVOCATION_RETENTION_MARGIN, RetentionPolicy};
pub use session::{SESSIONS_LISTED, SessionPolicy};
pub use shown_address::ShownAddress;
pub use verification::VerificationPolicy;
