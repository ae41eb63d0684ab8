//! What every successful login does, whatever proved who the person is
//! (password, QQ, WeChat, a first-time binding): note the time, audit it, and
//! start a session.

use std::net::IpAddr;
use std::sync::Arc;

use domain::User;

use crate::ports::{AuditEntry, AuditEvent, AuditLog, Clock, UserRepository};
use crate::{AppError, Session, SessionIssuer};

/// A person logged in: the account (its `last_login` just set) and the session.
#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    pub session: Session,
}

pub struct LoginRecorder {
    users: Arc<dyn UserRepository>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
    sessions: Arc<SessionIssuer>,
}

impl LoginRecorder {
    pub fn new(
        users: Arc<dyn UserRepository>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
        sessions: Arc<SessionIssuer>,
    ) -> Self {
        Self { users, audit, clock, sessions }
    }

    /// `event` says how the person got in (`LoginSucceeded`, `OAuthBound`).
    pub async fn record(&self, user: User, event: AuditEvent, ip: IpAddr) -> Result<LoggedIn, AppError> {
        let now = self.clock.now();
        self.users.record_login(user.id, now).await?;
        self.audit.record(AuditEntry { user_id: Some(user.id), event, ip, at: now }).await?;
        let session = self.sessions.start(&user).await?;
        Ok(LoggedIn { user: User { last_login: Some(now), ..user }, session })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::ports::{
        IssuedToken, MockAuditLog, MockClock, MockRefreshTokenStore, MockTokenIssuer, MockUserRepository,
    };
    use crate::use_cases::log_in::tests::stored_user;
    use crate::{Backend, SessionPolicy};

    /// A session issuer whose access token is `jwt` and refresh token `refresh`.
    pub(crate) fn issuing_sessions() -> Arc<SessionIssuer> {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_issue().returning(|_| Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400 }));
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_create().returning(|_, _| Ok("refresh".into()));
        Arc::new(SessionIssuer::new(Arc::new(tokens), Arc::new(refresh), SessionPolicy::default()))
    }

    /// A recorder over these mocks, with a real clock and [`issuing_sessions`].
    pub(crate) fn recorder(users: Arc<MockUserRepository>, audit: MockAuditLog) -> Arc<LoginRecorder> {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        Arc::new(LoginRecorder::new(users, Arc::new(audit), Arc::new(clock), issuing_sessions()))
    }

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

    #[tokio::test]
    async fn a_login_is_noted_audited_and_gets_a_session() {
        let mut users = MockUserRepository::new();
        users.expect_record_login().withf(|id, _| *id == UserId(1)).times(1).returning(|_, _| Ok(()));
        let mut audit = MockAuditLog::new();
        audit
            .expect_record()
            .withf(|e| e.event == AuditEvent::OAuthBound && e.user_id == Some(UserId(1)) && e.ip == IP)
            .times(1)
            .returning(|_| Ok(()));
        let logged_in =
            recorder(Arc::new(users), audit).record(stored_user(), AuditEvent::OAuthBound, IP).await.unwrap();
        assert!(logged_in.user.last_login.is_some());
        assert_eq!(
            (logged_in.session.access.token.as_str(), logged_in.session.refresh_token.as_str()),
            ("jwt", "refresh")
        );
    }

    #[tokio::test]
    async fn a_login_that_cannot_be_audited_is_unavailable() {
        let mut users = MockUserRepository::new();
        users.expect_record_login().returning(|_, _| Ok(()));
        let mut audit = MockAuditLog::new();
        audit.expect_record().returning(|_| Err(crate::ports::RepoError::Unavailable("down".into())));
        let got = recorder(Arc::new(users), audit).record(stored_user(), AuditEvent::LoginSucceeded, IP).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(Backend::Database));
    }
}
