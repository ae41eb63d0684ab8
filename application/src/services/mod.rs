//! What several use cases share: issuing and checking codes, captchas and
//! flow tokens, starting sessions, recording logins, counting failures, and
//! reading a provider's failure.

pub(crate) mod captcha_answer;
pub(crate) mod failure_counters;
pub(crate) mod flow_tokens;
pub(crate) mod login_recorder;
pub(crate) mod one_time_codes;
pub(crate) mod provider_failure;
pub(crate) mod sessions;
pub(crate) mod unionid_join;

pub use flow_tokens::{FlowTokens, TokenClaim};
pub use login_recorder::{LoggedIn, LoginRecorder};
pub use one_time_codes::{Charge, CodeRecipient, OneTimeCodes};
pub use sessions::{Session, SessionIssuer};
