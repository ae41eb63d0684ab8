use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;

use crate::AppError;
use crate::ports::{AccessClaims, AccessTokenRevocations, AuditEntry, AuditEvent, AuditLog, Clock, RefreshTokenStore};

/// Ends the session of the presented access token: its refresh-token family
/// (and the family of the refresh token given with it, if it is the same
/// user's) is revoked, then every access token of the session (those refreshed
/// from it included) until the last of them would have expired anyway, and the
/// presented token's own id.
pub struct LogOut {
    revocations: Arc<dyn AccessTokenRevocations>,
    refresh: Arc<dyn RefreshTokenStore>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    /// How long an access token lives: a session's tokens issued before the logout expire within it.
    access_lifetime: Duration,
}

impl LogOut {
    pub fn new(
        revocations: Arc<dyn AccessTokenRevocations>,
        refresh: Arc<dyn RefreshTokenStore>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
        access_lifetime: Duration,
    ) -> Self {
        Self { revocations, refresh, audit, clock, access_lifetime }
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
        // The family first: no exchange after this mints another access token
        // of the session, and every one minted before is covered below.
        if let Some(session) = &claims.session_id {
            self.refresh.revoke_family(session).await?;
            let lifetime = TimeDelta::from_std(self.access_lifetime).unwrap_or(TimeDelta::MAX);
            let until =
                self.clock.now().checked_add_signed(lifetime).unwrap_or(claims.expires_at).max(claims.expires_at);
            self.revocations.revoke_session(claims.user_id, session, until).await?;
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
        LogOut::new(Arc::new(revocations), Arc::new(refresh), Arc::new(audit), Arc::new(clock), LIFETIME)
    }

    const LIFETIME: Duration = Duration::from_secs(86_400);

    #[tokio::test]
    async fn a_token_of_a_session_ends_the_session_its_family_first() {
        let claims = AccessClaims { session_id: Some("fam".into()), ..claims() };
        let mut sequence = mockall::Sequence::new();
        let mut refresh = MockRefreshTokenStore::new();
        refresh
            .expect_revoke_family()
            .withf(|family| family == "fam")
            .times(1)
            .in_sequence(&mut sequence)
            .returning(|_| Ok(()));
        let mut revocations = MockAccessTokenRevocations::new();
        revocations
            .expect_revoke_session()
            .withf(|user, session, until| {
                let reach = *until - Utc::now();
                *user == UserId(7) && session == "fam" && reach > TimeDelta::hours(23) && reach <= TimeDelta::hours(24)
            })
            .times(1)
            .in_sequence(&mut sequence)
            .returning(|_, _, _| Ok(()));
        revocations.expect_revoke().times(1).returning(|_, _, _| Ok(()));
        let mut audit = MockAuditLog::new();
        audit.expect_record().returning(|_| Ok(()));
        assert_eq!(log_out(revocations, refresh, audit).execute(&claims, None, IP).await, Ok(()));
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
