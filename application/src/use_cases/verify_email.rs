use std::net::IpAddr;
use std::sync::Arc;

use domain::{Email, UserId};

use crate::ports::{AuditEntry, AuditEvent, AuditLog, Clock, FlowKind, RepoError, UniqueKey, UserRepository};
use crate::{AppError, Field, FieldError, FlowTokens, Problem};

/// `GET /emails/verification/?token=`: the mailed link makes the pending
/// address the user's verified one, as long as it is still their pending
/// address and no password reset or sign-out everywhere came in between.
/// Opening the link twice is harmless, so the token is not spent. An address
/// another account verified first is a conflict (409): the first to verify wins.
pub struct VerifyEmail {
    users: Arc<dyn UserRepository>,
    tokens: Arc<FlowTokens>,
    audit: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl VerifyEmail {
    pub fn new(
        users: Arc<dyn UserRepository>,
        tokens: Arc<FlowTokens>,
        audit: Arc<dyn AuditLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { users, tokens, audit, clock }
    }

    pub async fn execute(&self, token: &str, client_ip: IpAddr) -> Result<(), AppError> {
        let invalid = || AppError::field(Field::Token, Problem::LinkInvalid);
        let claims = self.tokens.inspect(token, FlowKind::EmailVerification, Field::Token, Problem::LinkInvalid)?;
        let user = claims.subject.parse::<i64>().map(UserId).map_err(|_| invalid())?;
        let email = claims.target.as_deref().and_then(|e| Email::parse(e).ok()).ok_or_else(invalid)?;
        // The version check voids links mailed before a password reset or a
        // sign-out everywhere, as it voids every other step token.
        match self.users.activate_email(user, &email, claims.version).await {
            Ok(true) => {}
            Ok(false) => return Err(invalid()),
            Err(RepoError::Conflict(UniqueKey::Email)) => {
                return Err(AppError::Conflict(FieldError::new(Field::Email, Problem::Taken)));
            }
            Err(other) => return Err(other.into()),
        }
        let entry = AuditEntry::new(Some(user), AuditEvent::EmailVerified, client_ip, self.clock.now());
        Ok(self.audit.record(entry).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use chrono::Utc;

    use super::*;
    use crate::ports::{MockAuditLog, MockClock, MockFlowTokenSigner, MockRateLimiter, MockUserRepository, TokenError};
    use crate::services::flow_tokens::tests::claims;

    fn use_case(
        users: MockUserRepository,
        answer: Result<crate::ports::FlowClaims, TokenError>,
        audit: MockAuditLog,
    ) -> VerifyEmail {
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_verify()
            .withf(|_, kind| *kind == FlowKind::EmailVerification)
            .returning(move |_, _| answer.clone());
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        VerifyEmail::new(
            Arc::new(users),
            Arc::new(FlowTokens::new(Arc::new(signer), Arc::new(MockRateLimiter::new()))),
            Arc::new(audit),
            Arc::new(clock),
        )
    }

    fn ip() -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))
    }

    fn link() -> crate::ports::FlowClaims {
        claims(FlowKind::EmailVerification, "1", Some("alice@example.com"), 3)
    }

    #[tokio::test]
    async fn a_valid_link_verifies_the_address_and_is_audited() {
        let mut users = MockUserRepository::new();
        users
            .expect_activate_email()
            .withf(|id, email, version| *id == UserId(1) && email.as_str() == "alice@example.com" && *version == 3)
            .times(1)
            .returning(|_, _, _| Ok(true));
        let mut audit = MockAuditLog::new();
        audit.expect_record().withf(|e| e.event == AuditEvent::EmailVerified).times(1).returning(|_| Ok(()));
        assert_eq!(use_case(users, Ok(link()), audit).execute("t", ip()).await, Ok(()));
    }

    #[tokio::test]
    async fn a_link_for_an_address_the_user_no_longer_has_or_from_before_a_reset_is_invalid() {
        let mut users = MockUserRepository::new();
        users.expect_activate_email().returning(|_, _, _| Ok(false));
        let got = use_case(users, Ok(link()), MockAuditLog::new()).execute("t", ip()).await;
        assert_eq!(got, Err(AppError::field(Field::Token, Problem::LinkInvalid)));
    }

    #[tokio::test]
    async fn forged_and_expired_links_are_invalid() {
        for error in [TokenError::Invalid, TokenError::Expired] {
            let got = use_case(MockUserRepository::new(), Err(error), MockAuditLog::new()).execute("t", ip()).await;
            assert_eq!(got, Err(AppError::field(Field::Token, Problem::LinkInvalid)));
        }
    }

    #[tokio::test]
    async fn an_address_another_account_verified_first_is_a_conflict_and_not_audited() {
        let mut users = MockUserRepository::new();
        users.expect_activate_email().returning(|_, _, _| Err(RepoError::Conflict(UniqueKey::Email)));
        let got = use_case(users, Ok(link()), MockAuditLog::new()).execute("t", ip()).await;
        assert_eq!(got, Err(AppError::Conflict(FieldError::new(Field::Email, Problem::Taken))));
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut users = MockUserRepository::new();
        users.expect_activate_email().returning(|_, _, _| Err(RepoError::Unavailable("down".into())));
        let got = use_case(users, Ok(link()), MockAuditLog::new()).execute("t", ip()).await;
        assert_eq!(got, Err(AppError::Unavailable(crate::Backend::Database)));
    }
}
