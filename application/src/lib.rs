//! Use cases of the account service and the ports (traits) they drive.
//!
//! Depends on `domain` only. Adapters implement the ports; the HTTP adapter
//! calls the use cases and maps [`AppError`] to responses in one place.

pub mod account_stores;
mod captcha_answer;
pub mod client_network;
pub mod error;
mod failure_counters;
pub mod flow_tokens;
pub mod login_recorder;
pub mod one_time_codes;
pub mod password_guard;
pub mod policy;
pub mod ports;
mod provider_failure;
pub mod sessions;
pub mod test_targets;
mod unionid_join;
pub mod use_cases;
pub mod web_login;

pub use account_stores::AccountStores;
pub use client_network::ClientNetwork;
pub use error::{AppError, AuthFailure, Backend, Field, FieldError, FieldErrors, Problem};
pub use flow_tokens::{FlowTokens, TokenClaim};
pub use login_recorder::{LoggedIn, LoginRecorder};
pub use one_time_codes::{Charge, CodeRecipient, OneTimeCodes};
pub use password_guard::PasswordGuard;
pub use policy::{AvailabilityPolicy, LoginPolicy, OAuthPolicy, SessionPolicy, VerificationPolicy};
pub use sessions::{Session, SessionIssuer};
pub use test_targets::{TestTargets, TestTargetsError};
pub use web_login::{ProviderIdentity, QqWebLogin, WeChatWebLogin, WebLoginProvider};
