use std::net::IpAddr;
use std::sync::Arc;

use crate::ports::{AccessClaims, AccessTokenRevocations, AuditEntry, AuditEvent, AuditLog, Clock, RefreshTokenStore};
use crate::{AppError, SessionEnding};

/// Ends the session of the presented access token: its refresh-token family
/// and every access token of the session (those refreshed from it included),
/// the presented token's own id, and the family of the refresh token given
/// with it (if it is the same user's).
pub struct LogOut {
    ending: Arc<SessionEnding>,
    revocations: Arc<dyn AccessTokenRevocations>,
    refresh: Arc<dyn RefreshTokenStore>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl LogOut {
    pub fn new(
        ending: Arc<SessionEnding>,
        revocations: Arc<dyn AccessTokenRevocations>,
        refresh: Arc<dyn RefreshTokenStore>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { ending, revocations, refresh, audit, clock }
    }

    pub async fn execute(
        &self,
        claims: &AccessClaims,
        refresh_token: Option<&str>,
        client_ip: IpAddr,
    ) -> Result<(), AppError> {
        if let Some(refresh_token) = refresh_token.map(str::trim).filter(|t| !t.is_empty()) {
            self.refresh.revoke_family_of(claims.user_id, refresh_token).await?;
        }
        // Tokens issued before access tokens named their session end by their id alone.
        if let Some(session) = &claims.session_id {
            self.ending.end(claims.user_id, session).await?;
        }
        self.revocations.revoke(claims.user_id, &claims.token_id, claims.expires_at).await?;
        let entry = AuditEntry::new(Some(claims.user_id), AuditEvent::LoggedOut, client_ip, self.clock.now());
        Ok(self.audit.record(entry).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::Backend;
    use crate::ports::{MockAccessTokenRevocations, MockAuditLog, MockClock, MockRefreshTokenStore, RepoError};
    use crate::services::session_ending::tests as session_ending;
    use crate::use_cases::authenticate::tests::claims;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn log_out_ending(
        ending: Arc<SessionEnding>,
        revocations: MockAccessTokenRevocations,
        refresh: MockRefreshTokenStore,
        audit: MockAuditLog,
    ) -> LogOut {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        LogOut::new(ending, Arc::new(revocations), Arc::new(refresh), Arc::new(audit), Arc::new(clock))
    }

    fn log_out(revocations: MockAccessTokenRevocations, refresh: MockRefreshTokenStore, audit: MockAuditLog) -> LogOut {
        let ending = session_ending::ending(MockRefreshTokenStore::new(), MockAccessTokenRevocations::new());
        log_out_ending(ending, revocations, refresh, audit)
    }

    #[tokio::test]
    async fn a_token_of_a_session_ends_the_session() {
        let claims = AccessClaims { session_id: Some("fam".into()), ..claims() };
        let (ended_family, ended_tokens) = session_ending::expecting_the_end_of_fam();
        let ending = session_ending::ending(ended_family, ended_tokens);
        let mut revocations = MockAccessTokenRevocations::new();
        revocations.expect_revoke().times(1).returning(|_, _, _| Ok(()));
        let mut audit = MockAuditLog::new();
        audit.expect_record().returning(|_| Ok(()));
        let log_out = log_out_ending(ending, revocations, MockRefreshTokenStore::new(), audit);
        assert_eq!(log_out.execute(&claims, None, IP).await, Ok(()));
    }

    #[tokio::test]
    async fn revokes_the_token_until_it_expires_and_audits() {
        let claims = claims();
        let until = claims.expires_at;
        let mut revocations = MockAccessTokenRevocations::new();
        revocations
            .expect_revoke()
            .withf(move |user, jti, at| *user == UserId(7) && jti == "jti" && *at == until)
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut audit = MockAuditLog::new();
        audit.expect_record().withf(|e| e.event == AuditEvent::LoggedOut).times(1).returning(|_| Ok(()));
        let mut refresh = MockRefreshTokenStore::new();
        refresh
            .expect_revoke_family_of()
            .withf(|user, token| *user == UserId(7) && token == "refresh")
            .times(1)
            .returning(|_, _| Ok(()));
        assert_eq!(log_out(revocations, refresh, audit).execute(&claims, Some(" refresh "), IP).await, Ok(()));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut revocations = MockAccessTokenRevocations::new();
        revocations.expect_revoke().returning(|_, _, _| Err(RepoError::Unavailable("down".into())));
        let got =
            log_out(revocations, MockRefreshTokenStore::new(), MockAuditLog::new()).execute(&claims(), None, IP).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
