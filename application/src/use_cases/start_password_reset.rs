use std::sync::Arc;

use domain::{CaptchaId, CaptchaText, LoginIdentifier};

use crate::ports::{CaptchaStore, FlowGrant, FlowKind, UserRepository};
use crate::services::captcha_answer::check_captcha;
use crate::{AppError, Field, FieldErrors, FlowTokens, Problem, VerificationPolicy};

pub struct StartPasswordResetRequest {
    /// A username or mobile (an email works too).
    pub account: String,
    pub captcha_id: String,
    pub captcha_text: String,
}

/// Find password, step 1: which account, and where its code will go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordResetStarted {
    /// `138****5678`: enough for the person to recognise their number.
    pub masked_mobile: String,
    /// Opens step 2 (sending the code) once.
    pub access_token: String,
}

/// Find password, step 1: a solved captcha and an account name give a token
/// for sending a code to that account's mobile. The captcha rations how fast
/// anybody can learn which accounts exist.
pub struct StartPasswordReset {
    users: Arc<dyn UserRepository>,
    captchas: Arc<dyn CaptchaStore>,
    tokens: Arc<FlowTokens>,
    policy: VerificationPolicy,
}

impl StartPasswordReset {
    pub fn new(
        users: Arc<dyn UserRepository>,
        captchas: Arc<dyn CaptchaStore>,
        tokens: Arc<FlowTokens>,
        policy: VerificationPolicy,
    ) -> Self {
        Self { users, captchas, tokens, policy }
    }

    pub async fn execute(&self, request: StartPasswordResetRequest) -> Result<PasswordResetStarted, AppError> {
        let mut errors = FieldErrors::default();
        let id = errors.check(Field::ImageCodeId, CaptchaId::parse(&request.captcha_id), Problem::CaptchaId);
        let text = errors.check(Field::ImageCodeText, CaptchaText::parse(&request.captcha_text), Problem::CaptchaText);
        let (Some(id), Some(text)) = (id, text) else { return Err(errors.into_error()) };

        // Before the account is looked up, so each lookup costs a solved captcha.
        check_captcha(self.captchas.as_ref(), &id, &text).await?;
        let identifier = LoginIdentifier::parse(&request.account).ok_or(AppError::NotFound)?;
        let user = self.users.find_by_login(&identifier).await?.ok_or(AppError::NotFound)?;
        let mobile = user.mobile.ok_or_else(|| AppError::field(Field::NonField, Problem::NoMobile))?;
        let access_token = self.tokens.issue(&FlowGrant {
            kind: FlowKind::ResetPasswordSms,
            subject: user.id.0.to_string(),
            target: Some(mobile.to_string()),
            version: user.token_version,
            ttl: self.policy.step_token_ttl,
        })?;
        Ok(PasswordResetStarted { masked_mobile: mobile.masked(), access_token })
    }
}

#[cfg(test)]
mod tests {
    use domain::CaptchaTextError;

    use super::*;
    use crate::ports::{MockCaptchaStore, MockFlowTokenSigner, MockRateLimiter, MockUserRepository};
    use crate::use_cases::log_in::tests::stored_user;

    const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

    fn captcha(answer: Option<&'static str>) -> MockCaptchaStore {
        let mut captchas = MockCaptchaStore::new();
        captchas.expect_take().times(1).returning(move |_| Ok(answer.map(|a| CaptchaText::parse(a).unwrap())));
        captchas
    }

    fn use_case(
        users: MockUserRepository,
        captchas: MockCaptchaStore,
        signer: MockFlowTokenSigner,
    ) -> StartPasswordReset {
        let tokens = Arc::new(FlowTokens::new(Arc::new(signer), Arc::new(MockRateLimiter::new())));
        StartPasswordReset::new(Arc::new(users), Arc::new(captchas), tokens, VerificationPolicy::default())
    }

    fn request(account: &str, text: &str) -> StartPasswordResetRequest {
        StartPasswordResetRequest { account: account.into(), captcha_id: ID.into(), captcha_text: text.into() }
    }

    #[tokio::test]
    async fn a_known_account_gets_its_masked_mobile_and_a_token_for_the_next_step() {
        let mut users = MockUserRepository::new();
        users
            .expect_find_by_login()
            .withf(|id| *id == LoginIdentifier::Username("alice".into()))
            .returning(|_| Ok(Some(stored_user())));
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_sign()
            .withf(|grant| {
                grant.kind == FlowKind::ResetPasswordSms
                    && grant.subject == "1"
                    && grant.target.as_deref() == Some("13800138000")
                    && grant.ttl.as_secs() == 300
            })
            .times(1)
            .returning(|_| Ok("step-1-token".into()));
        let got = use_case(users, captcha(Some("AB12")), signer).execute(request("alice", "ab12")).await;
        assert_eq!(
            got,
            Ok(PasswordResetStarted { masked_mobile: "138****8000".into(), access_token: "step-1-token".into() })
        );
    }

    #[tokio::test]
    async fn an_unknown_account_is_not_found_after_the_captcha_is_spent() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(None));
        let got =
            use_case(users, captcha(Some("AB12")), MockFlowTokenSigner::new()).execute(request("nobody", "AB12")).await;
        assert_eq!(got, Err(AppError::NotFound));
    }

    #[tokio::test]
    async fn a_wrong_captcha_is_refused_before_any_lookup() {
        let got = use_case(MockUserRepository::new(), captcha(Some("ZZZZ")), MockFlowTokenSigner::new())
            .execute(request("alice", "AB12"))
            .await;
        assert_eq!(got, Err(AppError::field(Field::ImageCodeText, Problem::CaptchaWrong)));
    }

    #[tokio::test]
    async fn a_malformed_captcha_is_refused_without_spending_one() {
        let got = use_case(MockUserRepository::new(), MockCaptchaStore::new(), MockFlowTokenSigner::new())
            .execute(request("alice", ""))
            .await;
        assert_eq!(got, Err(AppError::field(Field::ImageCodeText, Problem::CaptchaText(CaptchaTextError::Empty))));
    }

    #[tokio::test]
    async fn an_account_without_a_mobile_cannot_use_sms_recovery() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(Some(domain::User { mobile: None, ..stored_user() })));
        let got =
            use_case(users, captcha(Some("AB12")), MockFlowTokenSigner::new()).execute(request("alice", "AB12")).await;
        assert_eq!(got, Err(AppError::field(Field::NonField, Problem::NoMobile)));
    }
}
