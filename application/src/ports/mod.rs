//! The ports: what the use cases need from the outside world.
//!
//! Each is a `Send + Sync` trait injected as `Arc<dyn Port>`; mockall mocks are
//! generated for tests and behind the `mocks` feature, never in release builds.

mod access_token_revocations;
mod account_change_log;
mod account_deletions;
mod audit_log;
mod backend;
mod cache_error;
mod captcha_renderer;
mod captcha_store;
mod clock;
mod code_generator;
mod data_retention;
mod dev_outbox;
mod email_change_store;
mod flow_token_signer;
mod login_store;
mod message_outbox;
mod message_sender;
mod oauth_identities;
mod outbox_feed;
mod password_change_store;
mod password_hasher;
mod provider_attempts;
mod provider_error;
mod rate_limiter;
mod readiness_probe;
mod refresh_token_store;
mod registration_store;
mod repo_error;
mod session_key_store;
mod sign_in;
mod taken_name_source;
mod token_issuer;
mod unique_key;
mod user_repository;
mod verification_code_store;
mod web_login_provider;
mod wechat_client;

pub use access_token_revocations::{AccessTokenRevocations, TokenStanding};
pub use account_change_log::{AccountChange, AccountChangeLog};
pub use account_deletions::{AccountDeletions, ErasedAccount};
pub use audit_log::{AuditEntry, AuditEvent, AuditLog};
pub use backend::Backend;
pub use cache_error::CacheError;
pub use captcha_renderer::{CaptchaRenderer, RenderError, RenderedCaptcha};
pub use captcha_store::CaptchaStore;
pub use clock::Clock;
pub use code_generator::CodeGenerator;
pub use data_retention::DataRetention;
pub use dev_outbox::{DeliveryStatus, DevCaptcha, DevMessage, DevOutboxView};
pub use email_change_store::{EmailChange, EmailChangeStore};
pub use flow_token_signer::{FlowClaims, FlowGrant, FlowKind, FlowTokenSigner};
pub use login_store::{LoginStore, NewLogin, StoredLogin};
pub use message_outbox::{Channel, ClaimedMessage, MessageContent, MessageOutbox, MessagingError, OutgoingMessage};
pub use message_sender::{DeliveryError, MessageSender};
pub use oauth_identities::{
    BoundIdentity, IdentityKey, NewIdentity, OAuthIdentityRepository, OAuthProvider, Unbinding,
};
pub use outbox_feed::{OutboxCounts, OutboxEntry, OutboxFeed};
pub use password_change_store::{NewPassword, PasswordChangeStore};
pub use password_hasher::{HashError, PasswordHasher};
pub use provider_attempts::{AttemptOutcome, ProviderAttempts};
pub use provider_error::ProviderError;
pub use rate_limiter::{FailureLimits, RateDecision, RateLimit, RateLimiter, Reservation, Settlement};
pub use readiness_probe::{NotReady, ReadinessProbe};
pub use refresh_token_store::{RefreshTokenStore, Rotation};
pub use registration_store::{NewRegistration, Registration, RegistrationStore};
pub use repo_error::RepoError;
pub use session_key_store::SessionKeyStore;
pub use sign_in::{LoginMethod, SessionRecord, SignInOrigin, SignInOutcome, SignInRecord};
pub use taken_name_source::{TakenNameRow, TakenNameSource};
pub use token_issuer::{AccessClaims, IssuedToken, TokenError, TokenIssuer};
pub use unique_key::UniqueKey;
pub use user_repository::UserRepository;
pub use verification_code_store::{CodeCheck, CodeKey, CodePurpose, VerificationCodeStore};
pub use web_login_provider::{ProviderIdentity, WebLoginProvider};
pub use wechat_client::{MiniProgramSession, WeChatClient, WebIdentity};

#[cfg(any(test, feature = "mocks"))]
pub use {
    access_token_revocations::MockAccessTokenRevocations, account_deletions::MockAccountDeletions,
    audit_log::MockAuditLog, captcha_renderer::MockCaptchaRenderer, captcha_store::MockCaptchaStore, clock::MockClock,
    code_generator::MockCodeGenerator, data_retention::MockDataRetention, email_change_store::MockEmailChangeStore,
    flow_token_signer::MockFlowTokenSigner, login_store::MockLoginStore, message_outbox::MockMessageOutbox,
    message_sender::MockMessageSender, oauth_identities::MockOAuthIdentityRepository,
    password_change_store::MockPasswordChangeStore, password_hasher::MockPasswordHasher, rate_limiter::MockRateLimiter,
    readiness_probe::MockReadinessProbe, refresh_token_store::MockRefreshTokenStore,
    registration_store::MockRegistrationStore, session_key_store::MockSessionKeyStore, token_issuer::MockTokenIssuer,
    user_repository::MockUserRepository, verification_code_store::MockVerificationCodeStore,
    web_login_provider::MockWebLoginProvider, wechat_client::MockWeChatClient,
};
