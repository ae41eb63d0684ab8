//! What every successful login does, whatever proved who the person is
//! (password, QQ, WeChat, a first-time binding): note the time, audit it, and
//! start a session.

use std::sync::Arc;

use domain::User;

use crate::ports::{AuditEntry, AuditEvent, Clock, LoginMethod, LoginStore, NewLogin, SignInOrigin};
use crate::{AppError, AuthFailure, Session, SessionIssuer};

/// A person logged in: the account (its `last_login` just set) and the session.
#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    pub session: Session,
    /// The account was scheduled for deletion and this sign-in cancelled that.
    pub restored: bool,
}

pub struct LoginRecorder {
    logins: Arc<dyn LoginStore>,
    clock: Arc<dyn Clock>,
    sessions: Arc<SessionIssuer>,
}

impl LoginRecorder {
    pub fn new(logins: Arc<dyn LoginStore>, clock: Arc<dyn Clock>, sessions: Arc<SessionIssuer>) -> Self {
        Self { logins, clock, sessions }
    }

    /// `event` says what got the person in (`LoginSucceeded`, `OAuthBound`),
    /// `method` how they proved who they are. The access token is signed
    /// first: it writes nothing, so a login that cannot be stored has changed
    /// nothing.
    pub async fn record(
        &self,
        user: User,
        event: AuditEvent,
        method: LoginMethod,
        origin: &SignInOrigin,
    ) -> Result<LoggedIn, AppError> {
        let now = self.clock.now();
        let access = self.sessions.tokens().issue(&user, None)?;
        let login = NewLogin {
            user: user.id,
            session: access.session_id.clone(),
            audit: AuditEntry::sign_in(Some(user.id), event, method, origin, now),
            refresh_lifetime: self.sessions.policy().refresh_lifetime,
        };
        // Gone between its reading and now: as any use case whose account vanishes meanwhile.
        let stored = self.logins.record_login(&login).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        Ok(LoggedIn {
            user: User { last_login: Some(now), ..user },
            session: Session { access, refresh_token: stored.refresh_token },
            restored: stored.restored,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use chrono::Utc;
    use domain::UserId;

    use super::*;
    use crate::ports::{
        IssuedToken, MockClock, MockLoginStore, MockRefreshTokenStore, MockTokenIssuer, RepoError, StoredLogin,
    };
    use crate::use_cases::log_in::tests::stored_user;
    use crate::{Backend, SessionPolicy};

    /// A session issuer whose access token is `jwt`.
    pub(crate) fn issuing_sessions() -> Arc<SessionIssuer> {
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_issue().returning(|_, _| {
            Ok(IssuedToken { token: "jwt".into(), expires_in_secs: 86_400, session_id: "session".into() })
        });
        Arc::new(SessionIssuer::new(Arc::new(tokens), Arc::new(MockRefreshTokenStore::new()), SessionPolicy::default()))
    }

    /// A recorder storing into `logins`, with a real clock and [`issuing_sessions`].
    pub(crate) fn recorder(logins: MockLoginStore) -> Arc<LoginRecorder> {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        Arc::new(LoginRecorder::new(Arc::new(logins), Arc::new(clock), issuing_sessions()))
    }

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

    fn origin() -> SignInOrigin {
        SignInOrigin::new(IP, "Chrome on Windows")
    }

    #[tokio::test]
    async fn a_login_is_stored_with_its_audit_entry_and_session_and_answered_with_them() {
        let mut logins = MockLoginStore::new();
        logins
            .expect_record_login()
            .withf(|login| {
                login.user == UserId(1)
                    && login.audit.user_id == Some(UserId(1))
                    && login.audit.event == AuditEvent::OAuthBound
                    && login.audit.ip == IP
                    && login.audit.method == Some(LoginMethod::Qq)
                    && login.audit.device.as_deref() == Some("Chrome on Windows")
                    && login.refresh_lifetime == SessionPolicy::default().refresh_lifetime
            })
            .times(1)
            .returning(|_| Ok(Some(StoredLogin { refresh_token: "stored-refresh".into(), restored: false })));
        let logged_in =
            recorder(logins).record(stored_user(), AuditEvent::OAuthBound, LoginMethod::Qq, &origin()).await.unwrap();
        assert!(logged_in.user.last_login.is_some());
        assert!(!logged_in.restored);
        assert_eq!(
            (logged_in.session.access.token.as_str(), logged_in.session.refresh_token.as_str()),
            ("jwt", "stored-refresh")
        );
    }

    #[tokio::test]
    async fn a_login_into_an_account_scheduled_for_deletion_says_it_restored_it() {
        let mut logins = MockLoginStore::new();
        logins
            .expect_record_login()
            .times(1)
            .returning(|_| Ok(Some(StoredLogin { refresh_token: "stored-refresh".into(), restored: true })));
        let logged_in = recorder(logins)
            .record(stored_user(), AuditEvent::LoginSucceeded, LoginMethod::Password, &origin())
            .await
            .unwrap();
        assert!(logged_in.restored);
    }

    #[tokio::test]
    async fn a_login_into_an_account_erased_meanwhile_is_refused_like_a_revoked_token() {
        let mut logins = MockLoginStore::new();
        logins.expect_record_login().times(1).returning(|_| Ok(None));
        let got =
            recorder(logins).record(stored_user(), AuditEvent::LoginSucceeded, LoginMethod::Password, &origin()).await;
        assert_eq!(got.unwrap_err(), AppError::Unauthenticated(crate::AuthFailure::Revoked));
    }

    #[tokio::test]
    async fn a_login_that_cannot_be_stored_is_unavailable() {
        let mut logins = MockLoginStore::new();
        logins.expect_record_login().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got =
            recorder(logins).record(stored_user(), AuditEvent::LoginSucceeded, LoginMethod::Password, &origin()).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(Backend::Database));
    }
}
