use std::net::IpAddr;
use std::sync::Arc;

use domain::Email;

use crate::ports::{Channel, CodePurpose, UserRepository};
use crate::{AppError, CodeRecipient, Field, FieldErrors, OneTimeCodes, Problem};

pub struct SendEmailCodeRequest {
    pub email: String,
    /// `register` or `resetpwd` (the seed's names); empty means `register`.
    pub send_type: String,
    pub client_ip: IpAddr,
}

/// Mails a registration or find-password code, within the same limits as SMS.
///
/// A find-password code goes only to an address an account uses; any other
/// address gets the same answer and uses up the same limits, so the endpoint
/// does not tell which addresses have accounts.
pub struct SendEmailCode {
    users: Arc<dyn UserRepository>,
    codes: Arc<OneTimeCodes>,
}

impl SendEmailCode {
    pub fn new(users: Arc<dyn UserRepository>, codes: Arc<OneTimeCodes>) -> Self {
        Self { users, codes }
    }

    pub async fn execute(&self, request: SendEmailCodeRequest) -> Result<(), AppError> {
        let mut errors = FieldErrors::default();
        let email = errors.check(Field::Email, Email::parse(&request.email), Problem::Email);
        let purpose = match request.send_type.trim() {
            "" | "register" => Some(CodePurpose::Register),
            "resetpwd" => Some(CodePurpose::ResetPassword),
            _ => {
                errors.push(Field::SendType, Problem::Choice);
                None
            }
        };
        let (Some(email), Some(purpose)) = (email, purpose) else { return Err(errors.into_error()) };

        let recipient = CodeRecipient { channel: Channel::Email, purpose, target: email.to_string() };
        if purpose == CodePurpose::ResetPassword && !self.users.email_exists(&email).await? {
            return self.codes.charge(Channel::Email, &recipient.target, request.client_ip).await.map(drop);
        }
        self.codes.send(&recipient, request.client_ip).await
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use domain::{EmailError, VerificationCode};

    use super::*;
    use crate::Backend;
    use crate::ports::{MessageContent, MockUserRepository, RateDecision, RepoError};
    use crate::services::one_time_codes::tests::CodePorts;

    fn request(email: &str, send_type: &str) -> SendEmailCodeRequest {
        SendEmailCodeRequest {
            email: email.into(),
            send_type: send_type.into(),
            client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
        }
    }

    fn sending(purpose: CodePurpose) -> CodePorts {
        let mut ports = CodePorts::default();
        ports.limiter.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports.generator.expect_verification_code().returning(|| VerificationCode::parse("654321").unwrap());
        ports
            .codes
            .expect_save()
            .withf(move |key, _, _| {
                key.channel == Channel::Email && key.purpose == purpose && key.target == "bob@example.com"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        ports
            .outbox
            .expect_enqueue()
            .withf(move |m| {
                m.channel == Channel::Email
                    && m.to == "bob@example.com"
                    && matches!(m.content, MessageContent::Code { purpose: p, .. } if p == purpose)
            })
            .times(1)
            .returning(|_| Ok(()));
        ports
    }

    fn email_known(known: bool) -> MockUserRepository {
        let mut users = MockUserRepository::new();
        users.expect_email_exists().withf(|e| e.as_str() == "bob@example.com").times(1).returning(move |_| Ok(known));
        users
    }

    #[tokio::test]
    async fn a_registration_code_is_mailed_to_any_valid_address() {
        let use_case = SendEmailCode::new(Arc::new(MockUserRepository::new()), sending(CodePurpose::Register).build());
        assert_eq!(use_case.execute(request("Bob@Example.com", "register")).await, Ok(()));
    }

    #[tokio::test]
    async fn a_missing_send_type_means_registration() {
        let use_case = SendEmailCode::new(Arc::new(MockUserRepository::new()), sending(CodePurpose::Register).build());
        assert_eq!(use_case.execute(request("bob@example.com", "")).await, Ok(()));
    }

    #[tokio::test]
    async fn a_find_password_code_is_mailed_to_an_account_s_address() {
        let use_case = SendEmailCode::new(Arc::new(email_known(true)), sending(CodePurpose::ResetPassword).build());
        assert_eq!(use_case.execute(request("bob@example.com", "resetpwd")).await, Ok(()));
    }

    #[tokio::test]
    async fn an_unknown_address_gets_the_same_answer_and_limits_but_no_mail() {
        let mut ports = CodePorts::default();
        ports.limiter.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        // No save or enqueue expectation: sending anything fails the test.
        let use_case = SendEmailCode::new(Arc::new(email_known(false)), ports.build());
        assert_eq!(use_case.execute(request("bob@example.com", "resetpwd")).await, Ok(()));
    }

    #[tokio::test]
    async fn an_unknown_address_is_rate_limited_like_a_known_one() {
        let mut ports = CodePorts::default();
        let wait = Duration::from_secs(30);
        ports.limiter.expect_acquire().returning(move |_| Ok(RateDecision::Limited { retry_after: wait }));
        let use_case = SendEmailCode::new(Arc::new(email_known(false)), ports.build());
        let got = use_case.execute(request("bob@example.com", "resetpwd")).await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_bad_address_and_an_unknown_send_type_are_refused_together() {
        let use_case = SendEmailCode::new(Arc::new(MockUserRepository::new()), CodePorts::default().build());
        let got = use_case.execute(request("nope", "activate")).await;
        assert_eq!(
            got,
            Err(AppError::Validation(vec![
                crate::FieldError::new(Field::Email, Problem::Email(EmailError::Format)),
                crate::FieldError::new(Field::SendType, Problem::Choice),
            ]))
        );
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut users = MockUserRepository::new();
        users.expect_email_exists().returning(|_| Err(RepoError::Unavailable("down".into())));
        let use_case = SendEmailCode::new(Arc::new(users), CodePorts::default().build());
        let got = use_case.execute(request("bob@example.com", "resetpwd")).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
