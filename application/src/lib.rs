//! Use cases of the account service and the ports (traits) they drive.
//!
//! Depends on `domain` only. Adapters implement the ports; the HTTP adapter
//! calls the use cases and maps [`AppError`] to responses in one place.
//!
//! - `use_cases`: one file per request the service answers;
//! - `services`: what several use cases share (codes, sessions, flow tokens…);
//! - `policies`: the configurable limits and lifetimes the use cases apply;
//! - `ports`: the traits the adapters implement, with the failures they report;
//! - `web_login`: the browser login of each OAuth provider;
//! - `error`: how a use case fails, in the application's own terms.

pub mod error;
pub mod policies;
pub mod ports;
pub mod services;
pub mod use_cases;
pub mod web_login;

pub use error::{AppError, AuthFailure, Field, FieldError, FieldErrors, Problem};
pub use policies::{
    ACCOUNT_CHANGE_LOG_AGE, AvailabilityPolicy, ClientNetwork, DeliveryPolicy, FixedCodeTargets, FixedCodeTargetsError,
    LoginPolicy, OAuthPolicy, REVOCATION_RETENTION_MARGIN, RetentionPolicy, SESSIONS_LISTED, SessionPolicy,
    ShownAddress, VerificationPolicy,
};
pub use ports::Backend;
pub use services::{
    AccountStores, Charge, CodeRecipient, FlowTokens, LoggedIn, LoginRecorder, NameAnswers, OneTimeCodes,
    PasswordGuard, Session, SessionEnding, SessionIssuer, TokenClaim,
};
pub use web_login::WeChatWebLogin;
