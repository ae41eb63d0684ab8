use std::net::IpAddr;
use std::sync::Arc;

use crate::ports::{Channel, Clock, CodePurpose, FlowKind, UserRepository};
use crate::services::flow_tokens::current_user;
use crate::{AppError, CodeRecipient, Field, FlowTokens, OneTimeCodes, Problem};

/// Find password, step 2: the token of step 1 sends a code to the mobile it
/// names, under the usual send limits. The token is spent only when the code
/// is sent: a refusal (the resend interval, an outage) leaves it usable.
pub struct SendPasswordResetSms {
    users: Arc<dyn UserRepository>,
    tokens: Arc<FlowTokens>,
    codes: Arc<OneTimeCodes>,
    clock: Arc<dyn Clock>,
}

impl SendPasswordResetSms {
    pub fn new(
        users: Arc<dyn UserRepository>,
        tokens: Arc<FlowTokens>,
        codes: Arc<OneTimeCodes>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { users, tokens, codes, clock }
    }

    pub async fn execute(&self, access_token: &str, client_ip: IpAddr) -> Result<(), AppError> {
        let (field, problem) = (Field::AccessToken, Problem::StepTokenInvalid);
        let claims = self.tokens.inspect(access_token, FlowKind::ResetPasswordSms, field, problem)?;
        let user = current_user(self.users.as_ref(), &claims, field, problem).await?;
        // The mobile must still be the account's: it may have changed since step 1.
        let mobile = match (&user.mobile, &claims.target) {
            (Some(mobile), Some(target)) if mobile.as_str() == target => mobile.to_string(),
            _ => return Err(AppError::field(field, problem)),
        };
        let claim = self.tokens.claim(&claims, self.clock.now(), field, problem).await?;
        let recipient = CodeRecipient { channel: Channel::Sms, purpose: CodePurpose::ResetPassword, target: mobile };
        let sent = self.codes.send(&recipient, client_ip).await;
        self.tokens.settle(claim, sent).await
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use chrono::Utc;
    use domain::VerificationCode;

    use super::*;
    use crate::ports::{
        FlowClaims, MessageContent, MockClock, MockFlowTokenSigner, MockRateLimiter, MockUserRepository, RateDecision,
    };
    use crate::services::flow_tokens::tests::claims;
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;

    fn ip() -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))
    }

    fn signer(answer: FlowClaims) -> MockFlowTokenSigner {
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_verify()
            .withf(|_, kind| *kind == FlowKind::ResetPasswordSms)
            .returning(move |_, _| Ok(answer.clone()));
        signer
    }

    fn uses(decision: RateDecision) -> MockRateLimiter {
        let mut uses = MockRateLimiter::new();
        uses.expect_acquire().times(1).returning(move |_| Ok(decision));
        uses
    }

    fn users_with(version: i64) -> MockUserRepository {
        let mut users = MockUserRepository::new();
        users
            .expect_find_by_id()
            .returning(move |_| Ok(Some(domain::User { token_version: version, ..stored_user() })));
        users
    }

    fn use_case(
        users: MockUserRepository,
        signer: MockFlowTokenSigner,
        uses: MockRateLimiter,
        codes: CodePorts,
    ) -> SendPasswordResetSms {
        let mut clock = MockClock::new();
        clock.expect_now().returning(Utc::now);
        SendPasswordResetSms::new(
            Arc::new(users),
            Arc::new(FlowTokens::new(Arc::new(signer), Arc::new(uses))),
            codes.build(),
            Arc::new(clock),
        )
    }

    fn step_one() -> FlowClaims {
        claims(FlowKind::ResetPasswordSms, "1", Some("13800138000"), 0)
    }

    #[tokio::test]
    async fn a_current_step_one_token_sends_a_reset_code_to_its_mobile() {
        let mut codes = CodePorts::default();
        codes.limiter.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        codes.generator.expect_verification_code().returning(|| VerificationCode::parse("246810").unwrap());
        codes
            .codes
            .expect_save()
            .withf(|key, _, _| key.purpose == CodePurpose::ResetPassword)
            .returning(|_, _, _| Ok(()));
        codes
            .outbox
            .expect_enqueue()
            .withf(|m| {
                m.to == "13800138000"
                    && matches!(m.content, MessageContent::Code { purpose: CodePurpose::ResetPassword, .. })
            })
            .times(1)
            .returning(|_| Ok(()));
        let got =
            use_case(users_with(0), signer(step_one()), uses(RateDecision::Allowed), codes).execute("t", ip()).await;
        assert_eq!(got, Ok(()));
    }

    #[tokio::test]
    async fn a_spent_token_sends_nothing() {
        let limited = RateDecision::Limited { retry_after: Duration::from_secs(100) };
        let got =
            use_case(users_with(0), signer(step_one()), uses(limited), CodePorts::default()).execute("t", ip()).await;
        assert_eq!(got, Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid)));
    }

    #[tokio::test]
    async fn a_token_from_before_a_password_reset_is_void() {
        let got = use_case(users_with(1), signer(step_one()), MockRateLimiter::new(), CodePorts::default())
            .execute("t", ip())
            .await;
        assert_eq!(got, Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid)));
    }

    #[tokio::test]
    async fn a_token_for_a_mobile_the_account_no_longer_has_is_void() {
        let moved = claims(FlowKind::ResetPasswordSms, "1", Some("13900139000"), 0);
        let got = use_case(users_with(0), signer(moved), MockRateLimiter::new(), CodePorts::default())
            .execute("t", ip())
            .await;
        assert_eq!(got, Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid)));
    }

    #[tokio::test]
    async fn a_forged_token_is_refused() {
        let mut forged = MockFlowTokenSigner::new();
        forged.expect_verify().returning(|_, _| Err(crate::ports::TokenError::Invalid));
        let got = use_case(MockUserRepository::new(), forged, MockRateLimiter::new(), CodePorts::default())
            .execute("t", ip())
            .await;
        assert_eq!(got, Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid)));
    }

    #[tokio::test]
    async fn a_refused_send_gives_the_token_back_for_a_retry() {
        let waited = Duration::from_secs(42);
        let mut codes = CodePorts::default();
        codes.limiter.expect_acquire().returning(move |_| Ok(RateDecision::Limited { retry_after: waited }));
        let mut uses = uses(RateDecision::Allowed);
        uses.expect_release()
            .withf(|limits| limits.len() == 1 && limits[0].key == "flow:used:jti-1")
            .times(1)
            .returning(|_| Ok(()));
        let got = use_case(users_with(0), signer(step_one()), uses, codes).execute("t", ip()).await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: waited }));
    }

    #[tokio::test]
    async fn a_code_that_could_not_be_queued_gives_the_token_back() {
        let mut codes = CodePorts::default();
        codes.limiter.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        codes.limiter.expect_release().returning(|_| Ok(()));
        codes.generator.expect_verification_code().returning(|| VerificationCode::parse("246810").unwrap());
        codes.codes.expect_save().returning(|_, _, _| Err(crate::ports::CacheError::Unavailable("down".into())));
        let mut uses = uses(RateDecision::Allowed);
        uses.expect_release().times(1).returning(|_| Ok(()));
        let got = use_case(users_with(0), signer(step_one()), uses, codes).execute("t", ip()).await;
        assert_eq!(got, Err(AppError::Unavailable(crate::Backend::Cache)));
    }
}
