use std::net::IpAddr;
use std::sync::Arc;

use crate::AppError;
use crate::ports::{AccessClaims, AccessTokenRevocations, AuditEntry, AuditEvent, AuditLog, Clock, RefreshTokenStore};

/// Ends the session of the presented access token: its id is revoked until
/// the token would have expired anyway, and the family of the refresh token
/// given with it (if it is the same user's) is revoked.
pub struct LogOut {
    revocations: Arc<dyn AccessTokenRevocations>,
    refresh: Arc<dyn RefreshTokenStore>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl LogOut {
    pub fn new(
        revocations: Arc<dyn AccessTokenRevocations>,
        refresh: Arc<dyn RefreshTokenStore>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { revocations, refresh, audit, clock }
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
        self.revocations.revoke(claims.user_id, &claims.token_id, claims.expires_at).await?;
        let entry = AuditEntry {
            user_id: Some(claims.user_id),
            event: AuditEvent::LoggedOut,
            ip: client_ip,
            at: self.clock.now(),
        };
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
    use crate::use_cases::authenticate::tests::claims;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn log_out(revocations: MockAccessTokenRevocations, refresh: MockRefreshTokenStore, audit: MockAuditLog) -> LogOut {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        LogOut::new(Arc::new(revocations), Arc::new(refresh), Arc::new(audit), Arc::new(clock))
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
