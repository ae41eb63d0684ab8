use std::net::IpAddr;
use std::sync::Arc;

use domain::{Email, User, UserId};

use crate::ports::{
    AuditEntry, AuditEvent, Channel, Clock, EmailChange, EmailChangeStore, FlowGrant, FlowKind, MessageContent,
    OutgoingMessage, RepoError, UniqueKey, UserRepository,
};
use crate::{AppError, AuthFailure, Field, FlowTokens, OneTimeCodes, Problem, VerificationPolicy};

pub struct SetEmailRequest {
    pub user: UserId,
    pub email: String,
    pub client_ip: IpAddr,
}

/// `PUT /email/`: sets the signed-in user's pending email and mails a signed
/// link that verifies it (the verified address, if any, stays until then); the address, the queued mail and the audit
/// entry are stored together or not at all. Mails count toward the
/// per-address and per-client send limits, so the endpoint cannot be used to
/// flood a mailbox.
pub struct SetEmail {
    users: Arc<dyn UserRepository>,
    changes: Arc<dyn EmailChangeStore>,
    codes: Arc<OneTimeCodes>,
    tokens: Arc<FlowTokens>,
    clock: Arc<dyn Clock>,
    policy: VerificationPolicy,
    /// The page the link opens, e.g. `https://shop.example.com/success_verify_email.html`.
    link_base: String,
}

impl SetEmail {
    pub fn new(
        users: Arc<dyn UserRepository>,
        changes: Arc<dyn EmailChangeStore>,
        codes: Arc<OneTimeCodes>,
        tokens: Arc<FlowTokens>,
        clock: Arc<dyn Clock>,
        policy: VerificationPolicy,
        link_base: String,
    ) -> Self {
        Self { users, changes, codes, tokens, clock, policy, link_base }
    }

    pub async fn execute(&self, request: SetEmailRequest) -> Result<User, AppError> {
        let email = Email::parse(&request.email).map_err(|e| AppError::field(Field::Email, Problem::Email(e)))?;
        let current =
            self.users.find_by_id(request.user).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        if current.email.as_ref() == Some(&email) {
            // Back to the verified address: nothing to verify, so no mail; a
            // change still waiting for its link is called off.
            if current.pending_email.is_none() {
                return Ok(current);
            }
            return self
                .users
                .discard_pending_email(current.id)
                .await?
                .ok_or(AppError::Unauthenticated(AuthFailure::Revoked));
        }
        // Only verified addresses are taken; another account's pending one
        // is no obstacle (whoever verifies first keeps it).
        if self.users.email_exists(&email).await? {
            return Err(AppError::field(Field::Email, Problem::Taken));
        }
        let charge = self.codes.charge(Channel::Email, email.as_str(), request.client_ip).await?;
        let changed = self.change(&current, email, request.client_ip).await;
        self.codes.settle(charge, changed).await
    }

    /// Stores the address with its verification mail and audit entry.
    async fn change(&self, current: &User, email: Email, client_ip: IpAddr) -> Result<User, AppError> {
        // The link carries the token version read above: a password reset in
        // between voids it, as it voids every other step token.
        let token = self.tokens.issue(&FlowGrant {
            kind: FlowKind::EmailVerification,
            subject: current.id.0.to_string(),
            target: Some(email.to_string()),
            version: current.token_version,
            ttl: self.policy.email_link_ttl,
        })?;
        let separator = if self.link_base.contains('?') { '&' } else { '?' };
        let link = format!("{}{separator}token={token}", self.link_base);
        let change = EmailChange {
            user: current.id,
            mail: OutgoingMessage {
                channel: Channel::Email,
                to: email.to_string(),
                content: MessageContent::EmailVerification { link },
            },
            audit: AuditEntry::new(Some(current.id), AuditEvent::EmailChanged, client_ip, self.clock.now()),
            email,
        };
        match self.changes.change_email(&change).await {
            Ok(changed) => changed.ok_or(AppError::Unauthenticated(AuthFailure::Revoked)),
            // Another account verified this address since the check above.
            Err(RepoError::Conflict(UniqueKey::Email)) => Err(AppError::field(Field::Email, Problem::Taken)),
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use chrono::Utc;
    use domain::EmailError;

    use super::*;
    use crate::ports::{
        MockClock, MockEmailChangeStore, MockFlowTokenSigner, MockRateLimiter, MockUserRepository, RateDecision,
        RepoError,
    };
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;

    #[derive(Default)]
    struct Ports {
        users: MockUserRepository,
        codes: CodePorts,
        changes: MockEmailChangeStore,
        signer: MockFlowTokenSigner,
    }

    impl Ports {
        /// The account as it is before the request: its verified and its pending address.
        fn current(mut self, verified: Option<&'static str>, pending: Option<&'static str>) -> Self {
            let parse = |e: Option<&str>| e.map(|e| Email::parse(e).unwrap());
            self.users.expect_find_by_id().returning(move |_| {
                Ok(Some(User { email: parse(verified), pending_email: parse(pending), ..stored_user() }))
            });
            self
        }

        fn use_case(self) -> SetEmail {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            SetEmail::new(
                Arc::new(self.users),
                Arc::new(self.changes),
                self.codes.build(),
                Arc::new(FlowTokens::new(Arc::new(self.signer), Arc::new(MockRateLimiter::new()))),
                Arc::new(clock),
                VerificationPolicy::default(),
                "https://shop.example.com/success_verify_email.html".into(),
            )
        }
    }

    fn request(email: &str) -> SetEmailRequest {
        SetEmailRequest { user: UserId(1), email: email.into(), client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)) }
    }

    #[tokio::test]
    async fn a_new_address_is_stored_pending_and_a_24_hour_link_is_mailed() {
        let mut ports = Ports::default().current(None, None);
        ports.users.expect_email_exists().returning(|_| Ok(false));
        ports.codes.limiter.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports
            .signer
            .expect_sign()
            .withf(|grant| {
                grant.kind == FlowKind::EmailVerification
                    && grant.subject == "1"
                    && grant.target.as_deref() == Some("alice@example.com")
                    && grant.ttl == Duration::from_secs(86_400)
            })
            .returning(|_| Ok("signed".into()));
        ports
            .changes
            .expect_change_email()
            .withf(|change| {
                change.user == UserId(1)
                    && change.email.as_str() == "alice@example.com"
                    && change.mail.to == "alice@example.com"
                    && change.mail.content
                        == MessageContent::EmailVerification {
                            link: "https://shop.example.com/success_verify_email.html?token=signed".into(),
                        }
                    && change.audit.event == AuditEvent::EmailChanged
                    && change.audit.user_id == Some(UserId(1))
            })
            .times(1)
            .returning(|change| Ok(Some(User { pending_email: Some(change.email.clone()), ..stored_user() })));
        let user = ports.use_case().execute(request("Alice@Example.com")).await.unwrap();
        assert_eq!(user.pending_email.map(|e| e.to_string()).as_deref(), Some("alice@example.com"));
    }

    #[tokio::test]
    async fn the_already_verified_address_changes_nothing_and_mails_nothing() {
        let got = Ports::default()
            .current(Some("alice@example.com"), None)
            .use_case()
            .execute(request("alice@example.com"))
            .await;
        assert!(got.unwrap().latest_email_verified());
    }

    #[tokio::test]
    async fn going_back_to_the_verified_address_calls_off_the_pending_change_and_mails_nothing() {
        let mut ports = Ports::default().current(Some("alice@example.com"), Some("alice@example.org"));
        ports
            .users
            .expect_discard_pending_email()
            .withf(|id| *id == UserId(1))
            .times(1)
            .returning(|_| Ok(Some(User { email: Some(Email::parse("alice@example.com").unwrap()), ..stored_user() })));
        let user = ports.use_case().execute(request("alice@example.com")).await.unwrap();
        assert!(user.latest_email_verified());
    }

    #[tokio::test]
    async fn going_back_to_the_verified_address_of_an_account_deleted_meanwhile_is_unauthenticated() {
        let mut ports = Ports::default().current(Some("alice@example.com"), Some("alice@example.org"));
        ports.users.expect_discard_pending_email().returning(|_| Ok(None));
        let got = ports.use_case().execute(request("alice@example.com")).await;
        assert_eq!(got.unwrap_err(), AppError::Unauthenticated(AuthFailure::Revoked));
    }

    #[tokio::test]
    async fn another_account_s_verified_address_is_taken() {
        let mut ports = Ports::default().current(None, None);
        ports.users.expect_email_exists().returning(|_| Ok(true));
        let got = ports.use_case().execute(request("bob@example.com")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::Email, Problem::Taken));
    }

    #[tokio::test]
    async fn a_conflict_in_the_store_is_taken_too_and_gives_the_send_limits_back() {
        let mut ports = Ports::default().current(None, None);
        ports.users.expect_email_exists().returning(|_| Ok(false));
        ports.codes.limiter.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.codes.limiter.expect_release().times(1).returning(|_| Ok(()));
        ports.signer.expect_sign().returning(|_| Ok("signed".into()));
        ports.changes.expect_change_email().returning(|_| Err(RepoError::Conflict(UniqueKey::Email)));
        let got = ports.use_case().execute(request("bob@example.com")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::Email, Problem::Taken));
    }

    #[tokio::test]
    async fn a_database_outage_changes_nothing_and_gives_the_send_limits_back() {
        let mut ports = Ports::default().current(None, None);
        ports.users.expect_email_exists().returning(|_| Ok(false));
        ports.codes.limiter.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.codes.limiter.expect_release().times(1).returning(|_| Ok(()));
        ports.signer.expect_sign().returning(|_| Ok("signed".into()));
        ports.changes.expect_change_email().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = ports.use_case().execute(request("bob@example.com")).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(crate::Backend::Database));
    }

    #[tokio::test]
    async fn an_account_deleted_meanwhile_is_unauthenticated_and_gives_the_send_limits_back() {
        let mut ports = Ports::default().current(None, None);
        ports.users.expect_email_exists().returning(|_| Ok(false));
        ports.codes.limiter.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.codes.limiter.expect_release().times(1).returning(|_| Ok(()));
        ports.signer.expect_sign().returning(|_| Ok("signed".into()));
        ports.changes.expect_change_email().returning(|_| Ok(None));
        let got = ports.use_case().execute(request("bob@example.com")).await;
        assert_eq!(got.unwrap_err(), AppError::Unauthenticated(AuthFailure::Revoked));
    }

    #[tokio::test]
    async fn the_send_limits_apply() {
        let mut ports = Ports::default().current(None, None);
        ports.users.expect_email_exists().returning(|_| Ok(false));
        let wait = Duration::from_secs(60);
        ports.codes.limiter.expect_acquire().returning(move |_| Ok(RateDecision::Limited { retry_after: wait }));
        let got = ports.use_case().execute(request("bob@example.com")).await;
        assert_eq!(got.unwrap_err(), AppError::RateLimited { retry_after: wait });
    }

    #[tokio::test]
    async fn a_malformed_address_is_refused() {
        let got = Ports::default().use_case().execute(request("bob@")).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::Email, Problem::Email(EmailError::Format)));
    }
}
