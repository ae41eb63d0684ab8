use std::net::IpAddr;
use std::sync::Arc;

use domain::{User, UserId};

use crate::ports::{
    AuditEntry, AuditEvent, AuditLog, BoundIdentity, Clock, OAuthIdentityRepository, RefreshTokenStore, SessionRecord,
    UserRepository,
};
use crate::{AppError, AuthFailure};

/// How many audit entries a copy holds at most, newest first: far more than
/// the audit trail keeps of any real account in its retention period.
pub const EXPORTED_AUDIT_ENTRIES: u32 = 10_000;

/// Everything the service holds about one person (PIPL art. 45), except what
/// only proves things to the service itself: the password hash, refresh
/// tokens and session keys are secrets, not data about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    pub user: User,
    pub bindings: Vec<BoundIdentity>,
    pub sessions: Vec<SessionRecord>,
    /// Sign-ins and every other audited event about the account, newest first.
    pub audit: Vec<AuditEntry>,
}

/// `GET /user/data/`: a copy of the person's data.
pub struct ExportPersonalData {
    users: Arc<dyn UserRepository>,
    identities: Arc<dyn OAuthIdentityRepository>,
    refresh: Arc<dyn RefreshTokenStore>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl ExportPersonalData {
    pub fn new(
        users: Arc<dyn UserRepository>,
        identities: Arc<dyn OAuthIdentityRepository>,
        refresh: Arc<dyn RefreshTokenStore>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { users, identities, refresh, audit, clock }
    }

    /// The download is audited first (a stolen token emptying the account's
    /// data shows in the trail), so the copy holds its own entry.
    pub async fn execute(&self, user: UserId, client_ip: IpAddr) -> Result<PersonalData, AppError> {
        let account = self.users.find_by_id(user).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        let entry = AuditEntry::new(Some(user), AuditEvent::DataExported, client_ip, self.clock.now());
        self.audit.record(entry).await?;
        Ok(PersonalData {
            bindings: self.identities.list_for_user(user).await?,
            sessions: self.refresh.sessions(user).await?,
            audit: self.audit.entries_of(user, EXPORTED_AUDIT_ENTRIES).await?,
            user: account,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;

    use super::*;
    use crate::Backend;
    use crate::ports::{
        IdentityKey, MockAuditLog, MockClock, MockOAuthIdentityRepository, MockRefreshTokenStore, MockUserRepository,
        OAuthProvider, RepoError,
    };
    use crate::use_cases::log_in::tests::stored_user;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

    fn export(users: MockUserRepository) -> ExportPersonalData {
        let mut identities = MockOAuthIdentityRepository::new();
        identities.expect_list_for_user().returning(|user| {
            Ok(vec![BoundIdentity {
                key: IdentityKey { provider: OAuthProvider::Qq, app_id: "101474184".into(), openid: "OPENID".into() },
                unionid: None,
                user_id: user,
                bound_at: Utc::now(),
            }])
        });
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_sessions().returning(|_| Ok(Vec::new()));
        let mut audit = MockAuditLog::new();
        audit
            .expect_record()
            .withf(|e| e.event == AuditEvent::DataExported && e.user_id == Some(UserId(1)))
            .returning(|_| Ok(()));
        audit
            .expect_entries_of()
            .withf(|user, limit| *user == UserId(1) && *limit == EXPORTED_AUDIT_ENTRIES)
            .returning(|user, _| Ok(vec![AuditEntry::new(Some(user), AuditEvent::PasswordChanged, IP, Utc::now())]));
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        ExportPersonalData::new(
            Arc::new(users),
            Arc::new(identities),
            Arc::new(refresh),
            Arc::new(audit),
            Arc::new(clock),
        )
    }

    #[tokio::test]
    async fn the_copy_gathers_the_account_its_bindings_sessions_and_audit_trail() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().withf(|id| *id == UserId(1)).returning(|_| Ok(Some(stored_user())));
        let data = export(users).execute(UserId(1), IP).await.unwrap();
        assert_eq!(data.user.username, "alice");
        assert_eq!(data.bindings.len(), 1);
        assert_eq!(data.audit[0].event, AuditEvent::PasswordChanged);
    }

    #[tokio::test]
    async fn an_account_gone_is_refused_like_a_revoked_token() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(None));
        assert_eq!(export(users).execute(UserId(1), IP).await, Err(AppError::Unauthenticated(AuthFailure::Revoked)));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Err(RepoError::Unavailable("down".into())));
        assert_eq!(export(users).execute(UserId(1), IP).await, Err(AppError::Unavailable(Backend::Database)));
    }
}
