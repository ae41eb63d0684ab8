use std::net::IpAddr;
use std::sync::Arc;

use domain::UserId;

use crate::AppError;
use crate::ports::{AccessTokenRevocations, AuditEntry, AuditEvent, AuditLog, Clock, RefreshTokenStore};

/// Signs a user out everywhere: every access and refresh token issued so far
/// stops working at once.
pub struct RevokeAllSessions {
    revocations: Arc<dyn AccessTokenRevocations>,
    refresh: Arc<dyn RefreshTokenStore>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl RevokeAllSessions {
    pub fn new(
        revocations: Arc<dyn AccessTokenRevocations>,
        refresh: Arc<dyn RefreshTokenStore>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { revocations, refresh, audit, clock }
    }

    pub async fn execute(&self, user: UserId, client_ip: IpAddr) -> Result<(), AppError> {
        self.refresh.revoke_user(user).await?;
        self.revocations.revoke_all(user).await?;
        let entry = AuditEntry::new(Some(user), AuditEvent::SessionsRevoked, client_ip, self.clock.now());
        Ok(self.audit.record(entry).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;

    use super::*;
    use crate::Backend;
    use crate::ports::{MockAccessTokenRevocations, MockAuditLog, MockClock, MockRefreshTokenStore, RepoError};

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn revoke_all(revocations: MockAccessTokenRevocations, audit: MockAuditLog) -> RevokeAllSessions {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_revoke_user().withf(|user| *user == UserId(7)).returning(|_| Ok(()));
        RevokeAllSessions::new(Arc::new(revocations), Arc::new(refresh), Arc::new(audit), Arc::new(clock))
    }

    #[tokio::test]
    async fn bumps_the_token_version_and_audits() {
        let mut revocations = MockAccessTokenRevocations::new();
        revocations.expect_revoke_all().withf(|user| *user == UserId(7)).times(1).returning(|_| Ok(1));
        let mut audit = MockAuditLog::new();
        audit.expect_record().withf(|e| e.event == AuditEvent::SessionsRevoked).times(1).returning(|_| Ok(()));
        assert_eq!(revoke_all(revocations, audit).execute(UserId(7), IP).await, Ok(()));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut revocations = MockAccessTokenRevocations::new();
        revocations.expect_revoke_all().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = revoke_all(revocations, MockAuditLog::new()).execute(UserId(7), IP).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
