//! Starting a session: an access token and the first refresh token of a new family.

use std::sync::Arc;

use domain::User;

use crate::ports::{IssuedToken, RefreshTokenStore, TokenIssuer};
use crate::{AppError, SessionPolicy};

/// What a client gets when a session starts or is refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub access: IssuedToken,
    pub refresh_token: String,
}

/// Issues sessions for login, registration and (later) OAuth login alike.
pub struct SessionIssuer {
    tokens: Arc<dyn TokenIssuer>,
    refresh: Arc<dyn RefreshTokenStore>,
    policy: SessionPolicy,
}

impl SessionIssuer {
    pub fn new(tokens: Arc<dyn TokenIssuer>, refresh: Arc<dyn RefreshTokenStore>, policy: SessionPolicy) -> Self {
        Self { tokens, refresh, policy }
    }

    pub async fn start(&self, user: &User) -> Result<Session, AppError> {
        let access = self.tokens.issue(user)?;
        let refresh_token = self.refresh.create(user.id, self.policy.refresh_lifetime).await?;
        Ok(Session { access, refresh_token })
    }

    pub fn tokens(&self) -> &dyn TokenIssuer {
        self.tokens.as_ref()
    }

    pub fn refresh_tokens(&self) -> &dyn RefreshTokenStore {
        self.refresh.as_ref()
    }

    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }
}
