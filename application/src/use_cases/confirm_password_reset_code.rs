use std::sync::Arc;

use domain::{LoginIdentifier, UserId, VerificationCode};

use crate::ports::{Channel, CodePurpose, FlowGrant, FlowKind, UserRepository};
use crate::{AppError, CodeRecipient, Field, FlowTokens, OneTimeCodes, Problem, VerificationPolicy};

pub struct ConfirmPasswordResetCodeRequest {
    /// A username or mobile (step 2's code went to its mobile), or an email
    /// (a code from `GET /email_codes/{email}/?send_type=resetpwd`).
    pub account: String,
    pub sms_code: String,
    pub email_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordResetCodeConfirmed {
    pub user_id: UserId,
    /// Opens step 4 (setting the new password) once.
    pub access_token: String,
}

/// Find password, step 3: the code sent to the account's mobile (or email)
/// proves the person holds it, and gives a token for setting a new password.
pub struct ConfirmPasswordResetCode {
    users: Arc<dyn UserRepository>,
    codes: Arc<OneTimeCodes>,
    tokens: Arc<FlowTokens>,
    policy: VerificationPolicy,
}

impl ConfirmPasswordResetCode {
    pub fn new(
        users: Arc<dyn UserRepository>,
        codes: Arc<OneTimeCodes>,
        tokens: Arc<FlowTokens>,
        policy: VerificationPolicy,
    ) -> Self {
        Self { users, codes, tokens, policy }
    }

    pub async fn execute(
        &self,
        request: ConfirmPasswordResetCodeRequest,
    ) -> Result<PasswordResetCodeConfirmed, AppError> {
        let identifier = LoginIdentifier::parse(&request.account);
        let by_email = matches!(identifier, Some(LoginIdentifier::Email(_)));
        let (field, raw_code) =
            if by_email { (Field::EmailCode, &request.email_code) } else { (Field::SmsCode, &request.sms_code) };
        let code = VerificationCode::parse(raw_code).map_err(|e| AppError::field(field, Problem::CodeFormat(e)))?;

        // An unknown account, or one without the contact, answers like a code
        // that was never sent: this step has no captcha, so it must not tell
        // which accounts exist.
        let no_code = || AppError::field(field, Problem::CodeExpired);
        let user = match &identifier {
            Some(identifier) => self.users.find_by_login(identifier).await?.ok_or_else(no_code)?,
            None => return Err(no_code()),
        };
        let (channel, target) = if by_email {
            (Channel::Email, user.email.as_ref().map(ToString::to_string))
        } else {
            (Channel::Sms, user.mobile.as_ref().map(ToString::to_string))
        };
        let target = target.ok_or_else(no_code)?;
        let recipient = CodeRecipient { channel, purpose: CodePurpose::ResetPassword, target };
        self.codes.verify(&recipient, &code, field).await?;

        let access_token = self.tokens.issue(&FlowGrant {
            kind: FlowKind::ResetPassword,
            subject: user.id.0.to_string(),
            target: None,
            version: user.token_version,
            ttl: self.policy.step_token_ttl,
        })?;
        Ok(PasswordResetCodeConfirmed { user_id: user.id, access_token })
    }
}

#[cfg(test)]
mod tests {
    use domain::{CodeError, Email, User};

    use super::*;
    use crate::ports::{CodeCheck, MockFlowTokenSigner, MockRateLimiter, MockUserRepository};
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::use_cases::log_in::tests::stored_user;

    fn signer() -> MockFlowTokenSigner {
        let mut signer = MockFlowTokenSigner::new();
        signer
            .expect_sign()
            .withf(|grant| grant.kind == FlowKind::ResetPassword && grant.subject == "1" && grant.ttl.as_secs() == 300)
            .returning(|_| Ok("step-3-token".into()));
        signer
    }

    fn users(found: Option<User>) -> MockUserRepository {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(move |_| Ok(found.clone()));
        users
    }

    fn use_case(users: MockUserRepository, codes: CodePorts) -> ConfirmPasswordResetCode {
        let tokens = Arc::new(FlowTokens::new(Arc::new(signer()), Arc::new(MockRateLimiter::new())));
        ConfirmPasswordResetCode::new(Arc::new(users), codes.build(), tokens, VerificationPolicy::default())
    }

    fn request(account: &str, sms_code: &str, email_code: &str) -> ConfirmPasswordResetCodeRequest {
        ConfirmPasswordResetCodeRequest {
            account: account.into(),
            sms_code: sms_code.into(),
            email_code: email_code.into(),
        }
    }

    #[tokio::test]
    async fn the_right_sms_code_gives_the_user_id_and_a_step_four_token() {
        let codes = CodePorts::default().check_answers("13800138000", CodePurpose::ResetPassword, CodeCheck::Accepted);
        let got = use_case(users(Some(stored_user())), codes).execute(request("alice", "123456", "")).await;
        assert_eq!(got, Ok(PasswordResetCodeConfirmed { user_id: UserId(1), access_token: "step-3-token".into() }));
    }

    #[tokio::test]
    async fn an_email_account_is_confirmed_with_its_email_code() {
        let with_email = User { email: Some(Email::parse("alice@example.com").unwrap()), ..stored_user() };
        let codes =
            CodePorts::default().check_answers("alice@example.com", CodePurpose::ResetPassword, CodeCheck::Accepted);
        let got = use_case(users(Some(with_email)), codes).execute(request("Alice@Example.com", "", "654321")).await;
        assert_eq!(got.map(|confirmed| confirmed.user_id), Ok(UserId(1)));
    }

    #[tokio::test]
    async fn a_wrong_code_keeps_its_tries_count() {
        let codes = CodePorts::default().check_answers(
            "13800138000",
            CodePurpose::ResetPassword,
            CodeCheck::Rejected { attempts_left: 2 },
        );
        let got = use_case(users(Some(stored_user())), codes).execute(request("13800138000", "000000", "")).await;
        assert_eq!(got, Err(AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 2 })));
    }

    #[tokio::test]
    async fn an_unknown_account_answers_like_a_code_never_sent() {
        let got = use_case(users(None), CodePorts::default()).execute(request("nobody", "123456", "")).await;
        assert_eq!(got, Err(AppError::field(Field::SmsCode, Problem::CodeExpired)));
    }

    #[tokio::test]
    async fn a_malformed_code_is_refused_before_any_lookup() {
        let got = use_case(MockUserRepository::new(), CodePorts::default()).execute(request("alice", "12", "")).await;
        assert_eq!(got, Err(AppError::field(Field::SmsCode, Problem::CodeFormat(CodeError::Format))));
    }
}
