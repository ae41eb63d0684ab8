use std::net::IpAddr;
use std::sync::Arc;

use domain::UserId;

use crate::AppError;
use crate::ports::{AccessTokenRevocations, AuditEntry, AuditEvent, AuditLog, Clock};

/// Signs a user out everywhere: every access token issued so far stops working at once.
pub struct RevokeAllSessions {
    revocations: Arc<dyn AccessTokenRevocations>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl RevokeAllSessions {
    pub fn new(revocations: Arc<dyn AccessTokenRevocations>, audit: Arc<dyn AuditLog>, clock: Arc<dyn Clock>) -> Self {
        Self { revocations, audit, clock }
    }

    pub async fn execute(&self, user: UserId, client_ip: IpAddr) -> Result<(), AppError> {
        self.revocations.revoke_all(user).await?;
        let entry =
            AuditEntry { user_id: Some(user), event: AuditEvent::SessionsRevoked, ip: client_ip, at: self.clock.now() };
        Ok(self.audit.record(entry).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;

    use super::*;
    use crate::Backend;
    use crate::ports::{MockAccessTokenRevocations, MockAuditLog, MockClock, RepoError};

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn revoke_all(revocations: MockAccessTokenRevocations, audit: MockAuditLog) -> RevokeAllSessions {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        RevokeAllSessions::new(Arc::new(revocations), Arc::new(audit), Arc::new(clock))
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
