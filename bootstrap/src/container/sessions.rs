//! Access and refresh tokens: starting sessions, checking and ending them.

use std::sync::Arc;
use std::time::Duration;

use application::ports::{Clock, LoginStore, TokenIssuer};
use application::use_cases::{
    Authenticate, EndSession, ListSessions, ListSignIns, LogOut, RefreshSession, RevokeAllSessions,
};
use application::{LoginRecorder, SessionEnding, SessionIssuer, SessionPolicy};
use http_api::SessionUseCases;
use http_api::dto::JwkSetResponse;
use security::{AccessTokenKeys, JwtTokenIssuer, ServiceSecret};
use storage::Database;

use super::account_records::AccountRecords;
use crate::config::{Config, ConfigError};

/// What starts a session, after whatever proved who the person is.
pub(super) struct SessionIssuing {
    pub tokens: Arc<dyn TokenIssuer>,
    pub sessions: Arc<SessionIssuer>,
    pub logins: Arc<LoginRecorder>,
    /// How long an access token lives.
    pub access_lifetime: Duration,
}

impl SessionIssuing {
    pub fn wire(
        config: &Config,
        secret: &ServiceSecret,
        access_keys: &AccessTokenKeys,
        database: &Database,
        logins: &Arc<dyn LoginStore>,
        clock: &Arc<dyn Clock>,
        policy: SessionPolicy,
    ) -> Self {
        let access_lifetime = config.jwt_lifetime_secs;
        let tokens: Arc<dyn TokenIssuer> = Arc::new(JwtTokenIssuer::signed_with(
            access_keys,
            access_lifetime,
            &config.jwt_issuer,
            &config.jwt_audience,
        ));
        let sessions = Arc::new(SessionIssuer::new(tokens.clone(), database.refresh_tokens(secret), policy));
        let logins = Arc::new(LoginRecorder::new(logins.clone(), clock.clone(), sessions.clone()));
        Self { tokens, sessions, logins, access_lifetime }
    }
}

/// The use cases of a session once started.
pub(super) fn session_use_cases(
    issuing: &SessionIssuing,
    database: &Database,
    records: &AccountRecords,
    clock: &Arc<dyn Clock>,
) -> SessionUseCases {
    let revocations = records.revocations.clone();
    let refresh_tokens = issuing.sessions.refresh_token_store();
    let ending = Arc::new(SessionEnding::new(
        refresh_tokens.clone(),
        revocations.clone(),
        clock.clone(),
        issuing.access_lifetime,
    ));
    SessionUseCases {
        authenticate: Authenticate::new(issuing.tokens.clone(), revocations.clone()),
        log_out: LogOut::new(
            ending.clone(),
            revocations.clone(),
            refresh_tokens.clone(),
            database.audit_log(),
            clock.clone(),
        ),
        refresh_session: RefreshSession::new(issuing.sessions.clone(), records.users.clone(), ending.clone()),
        revoke_all_sessions: RevokeAllSessions::new(
            revocations,
            refresh_tokens.clone(),
            database.audit_log(),
            clock.clone(),
        ),
        list_sessions: ListSessions::new(refresh_tokens.clone()),
        end_session: EndSession::new(refresh_tokens, ending, database.audit_log(), clock.clone()),
        list_sign_ins: ListSignIns::new(database.audit_log()),
    }
}

/// The JWKS as served: only the public parameters the response names are carried over.
pub(super) fn published_keys(keys: &AccessTokenKeys) -> Result<Option<JwkSetResponse>, ConfigError> {
    let Some(jwks) = keys.jwks() else { return Ok(None) };
    let unpublishable = |e: serde_json::Error| ConfigError::Invalid(format!("cannot publish the JWKS: {e}"));
    let json = serde_json::to_value(jwks).map_err(unpublishable)?;
    serde_json::from_value(json).map(Some).map_err(unpublishable)
}
