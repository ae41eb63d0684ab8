use std::net::IpAddr;
use std::sync::Arc;

use crate::ports::{AccessClaims, AuditEntry, AuditEvent, AuditLog, Clock, RefreshTokenStore};
use crate::{AppError, SessionEnding};

/// `DELETE /user/sessions/{id}/`: ends one of the user's sessions, the one
/// asking or another, exactly as a logout ends its own: the session's refresh
/// tokens first, then every access token it issued, on every instance.
pub struct EndSession {
    refresh: Arc<dyn RefreshTokenStore>,
    ending: Arc<SessionEnding>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl EndSession {
    pub fn new(
        refresh: Arc<dyn RefreshTokenStore>,
        ending: Arc<SessionEnding>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { refresh, ending, audit, clock }
    }

    /// Not found for a session that is not the user's signed-in one: another
    /// user's looks exactly like one that never existed or has ended.
    pub async fn execute(&self, claims: &AccessClaims, session: &str, client_ip: IpAddr) -> Result<(), AppError> {
        if !self.refresh.has_session(claims.user_id, session).await? {
            return Err(AppError::NotFound);
        }
        self.ending.end(claims.user_id, session).await?;
        let entry = AuditEntry::new(Some(claims.user_id), AuditEvent::SessionEnded, client_ip, self.clock.now());
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

    fn end_session(owned: Result<bool, RepoError>, ending: Arc<SessionEnding>, audit: MockAuditLog) -> EndSession {
        let mut refresh = MockRefreshTokenStore::new();
        refresh
            .expect_has_session()
            .withf(|user, session| *user == UserId(7) && session == "fam")
            .times(1)
            .return_once(move |_, _| owned);
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        EndSession::new(Arc::new(refresh), ending, Arc::new(audit), Arc::new(clock))
    }

    fn no_ending() -> Arc<SessionEnding> {
        session_ending::ending(MockRefreshTokenStore::new(), MockAccessTokenRevocations::new())
    }

    #[tokio::test]
    async fn a_session_of_the_user_is_ended_and_audited() {
        let (family, tokens) = session_ending::expecting_the_end_of_fam();
        let mut audit = MockAuditLog::new();
        audit
            .expect_record()
            .withf(|e| e.event == AuditEvent::SessionEnded && e.user_id == Some(UserId(7)) && e.method.is_none())
            .times(1)
            .returning(|_| Ok(()));
        let end_session = end_session(Ok(true), session_ending::ending(family, tokens), audit);
        assert_eq!(end_session.execute(&claims(), "fam", IP).await, Ok(()));
    }

    #[tokio::test]
    async fn a_session_that_is_not_the_user_s_is_not_found_and_nothing_ends() {
        let got = end_session(Ok(false), no_ending(), MockAuditLog::new()).execute(&claims(), "fam", IP).await;
        assert_eq!(got, Err(AppError::NotFound));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let got = end_session(Err(RepoError::Unavailable("down".into())), no_ending(), MockAuditLog::new())
            .execute(&claims(), "fam", IP)
            .await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
