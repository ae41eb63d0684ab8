//! What several use cases share: issuing and checking codes, captchas and
//! flow tokens, starting sessions, recording logins, counting failures, and
//! reading a provider's failure; and the groups of ports several use cases take
//! together (`AccountStores`, `PasswordGuard`).

pub(crate) mod account_stores;
pub(crate) mod captcha_answer;
pub(crate) mod failure_counters;
pub(crate) mod flow_tokens;
pub(crate) mod login_recorder;
pub(crate) mod name_answers;
pub(crate) mod one_time_codes;
pub(crate) mod password_guard;
pub(crate) mod provider_failure;
pub(crate) mod session_ending;
pub(crate) mod sessions;
pub(crate) mod unionid_join;

pub use account_stores::AccountStores;
pub use flow_tokens::{FlowTokens, TokenClaim};
pub use login_recorder::{LoggedIn, LoginRecorder};
pub use name_answers::NameAnswers;
pub use one_time_codes::{Charge, CodeRecipient, OneTimeCodes};
pub use password_guard::PasswordGuard;
pub use session_ending::SessionEnding;
pub use sessions::{Session, SessionIssuer};
