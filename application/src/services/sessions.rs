//! What a session is made of: an access token and a refresh token, and what
//! signs and stores them. The first refresh token of a session is stored with
//! the login or registration that starts it (`LoginStore`, `RegistrationStore`).

use std::sync::Arc;

use crate::SessionPolicy;
use crate::ports::{IssuedToken, RefreshTokenStore, TokenIssuer};

/// What a client gets when a session starts or is refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub access: IssuedToken,
    pub refresh_token: String,
}

/// The token issuer, the refresh-token store and the session policy, shared by
/// every way a session starts or is refreshed.
pub struct SessionIssuer {
    tokens: Arc<dyn TokenIssuer>,
    refresh: Arc<dyn RefreshTokenStore>,
    policy: SessionPolicy,
}

impl SessionIssuer {
    pub fn new(tokens: Arc<dyn TokenIssuer>, refresh: Arc<dyn RefreshTokenStore>, policy: SessionPolicy) -> Self {
        Self { tokens, refresh, policy }
    }

    pub fn tokens(&self) -> &dyn TokenIssuer {
        self.tokens.as_ref()
    }

    pub fn refresh_tokens(&self) -> &dyn RefreshTokenStore {
        self.refresh.as_ref()
    }

    /// The store itself, for the use cases that end sessions.
    pub fn refresh_token_store(&self) -> Arc<dyn RefreshTokenStore> {
        self.refresh.clone()
    }

    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }
}
