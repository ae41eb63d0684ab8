//! Issuing and checking the one-time codes of every flow (registration by SMS
//! or email, find password), so each limit is enforced in one place.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use domain::VerificationCode;

use crate::ports::{
    Channel, CodeCheck, CodeGenerator, CodeKey, CodePurpose, MessageContent, MessageOutbox, OutgoingMessage,
    RateDecision, RateLimit, RateLimiter, VerificationCodeStore,
};
use crate::{AppError, ClientNetwork, Field, Problem, VerificationPolicy};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const HOUR: Duration = Duration::from_secs(60 * 60);

/// Where a code goes and what it is for; `target` is the normalised mobile or email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecipient {
    pub channel: Channel,
    pub purpose: CodePurpose,
    pub target: String,
}

impl CodeRecipient {
    fn key(&self) -> CodeKey {
        CodeKey { channel: self.channel, purpose: self.purpose, target: self.target.clone() }
    }
}

/// The send limits one message took. Handed back through
/// [`OneTimeCodes::settle`] when the message could not be queued, so a
/// request that failed does not use up the person's allowance.
#[derive(Debug)]
#[must_use = "settle the charge with the outcome of the work it paid for"]
pub struct Charge {
    limits: [RateLimit; 3],
}

pub struct OneTimeCodes {
    limiter: Arc<dyn RateLimiter>,
    codes: Arc<dyn VerificationCodeStore>,
    generator: Arc<dyn CodeGenerator>,
    outbox: Arc<dyn MessageOutbox>,
    policy: VerificationPolicy,
}

impl OneTimeCodes {
    pub fn new(
        limiter: Arc<dyn RateLimiter>,
        codes: Arc<dyn VerificationCodeStore>,
        generator: Arc<dyn CodeGenerator>,
        outbox: Arc<dyn MessageOutbox>,
        policy: VerificationPolicy,
    ) -> Self {
        Self { limiter, codes, generator, outbox, policy }
    }

    /// Issues a fresh code and queues the message carrying it, within the
    /// resend, daily and per-address limits (taken in one atomic step, so
    /// concurrent requests cannot slip past them). A configured test target
    /// gets its fixed code, no message and no limits.
    pub async fn send(&self, recipient: &CodeRecipient, client_ip: IpAddr) -> Result<(), AppError> {
        if let Some(code) = self.test_code(recipient) {
            return Ok(self.codes.save(&recipient.key(), code, self.policy.code_ttl).await?);
        }
        let charge = self.charge(recipient.channel, &recipient.target, client_ip).await?;
        let queued = self.issue(recipient).await;
        self.settle(charge, queued).await
    }

    async fn issue(&self, recipient: &CodeRecipient) -> Result<(), AppError> {
        let code = self.generator.verification_code();
        self.codes.save(&recipient.key(), &code, self.policy.code_ttl).await?;
        let message = OutgoingMessage {
            channel: recipient.channel,
            to: recipient.target.clone(),
            content: MessageContent::Code { purpose: recipient.purpose, code },
        };
        Ok(self.outbox.enqueue(message).await?)
    }

    /// Takes the send limits of one message to `target`, as [`Self::send`]
    /// does: for a find-password email that no account uses (which must not
    /// be told apart from one that does) and for verification-link mails.
    pub async fn charge(&self, channel: Channel, target: &str, client_ip: IpAddr) -> Result<Charge, AppError> {
        let channel = channel.as_str();
        let limits = [
            RateLimit::new(format!("{channel}:resend:{target}"), 1, self.policy.resend_interval),
            RateLimit::new(format!("{channel}:daily:{target}"), self.policy.per_target_daily, DAY),
            RateLimit::new(format!("codes:ip:{}", ClientNetwork::of(client_ip)), self.policy.per_ip_hourly, HOUR),
        ];
        match self.limiter.acquire(&limits).await? {
            RateDecision::Allowed => Ok(Charge { limits }),
            RateDecision::Limited { retry_after } => Err(AppError::RateLimited { retry_after }),
        }
    }

    /// Keeps the charge when the work it paid for succeeded; hands it back
    /// when it failed, and answers the work's outcome either way.
    pub async fn settle<T>(&self, charge: Charge, outcome: Result<T, AppError>) -> Result<T, AppError> {
        if outcome.is_err() {
            // The work's own failure is the answer; should the refund fail too
            // (the cache is down), the limits stay taken until their windows end.
            let _refund = self.limiter.release(&charge.limits).await;
        }
        outcome
    }

    /// Checks a submitted code: consumed when right, burned after the last
    /// allowed wrong try. A refusal is an error on `field`.
    pub async fn verify(
        &self,
        recipient: &CodeRecipient,
        candidate: &VerificationCode,
        field: Field,
    ) -> Result<(), AppError> {
        let problem = match self.codes.check(&recipient.key(), candidate, self.policy.max_attempts).await? {
            CodeCheck::Accepted => return Ok(()),
            CodeCheck::Rejected { attempts_left } => Problem::CodeWrong { attempts_left },
            CodeCheck::Exhausted => Problem::CodeExhausted,
            CodeCheck::Missing => Problem::CodeExpired,
        };
        Err(AppError::field(field, problem))
    }

    /// The refusal of a first wrong try at a fresh code, for a request that
    /// must answer like one without a wrong code to show for it.
    pub fn first_wrong_try(&self, field: Field) -> AppError {
        let problem = match self.policy.max_attempts.saturating_sub(1) {
            0 => Problem::CodeExhausted,
            attempts_left => Problem::CodeWrong { attempts_left },
        };
        AppError::field(field, problem)
    }

    fn test_code(&self, recipient: &CodeRecipient) -> Option<&VerificationCode> {
        match recipient.channel {
            Channel::Sms => self.policy.sms_fixed_codes.code_for(&recipient.target),
            Channel::Email => self.policy.email_fixed_codes.code_for(&recipient.target),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::Backend;
    use crate::FixedCodeTargets;
    use crate::ports::{
        CacheError, MessagingError, MockCodeGenerator, MockMessageOutbox, MockRateLimiter, MockVerificationCodeStore,
    };

    /// The mocks behind [`OneTimeCodes`], for the tests of the use cases built on it.
    #[derive(Default)]
    pub(crate) struct CodePorts {
        pub limiter: MockRateLimiter,
        pub codes: MockVerificationCodeStore,
        pub generator: MockCodeGenerator,
        pub outbox: MockMessageOutbox,
        pub policy: VerificationPolicy,
    }

    impl CodePorts {
        pub(crate) fn build(self) -> Arc<OneTimeCodes> {
            Arc::new(OneTimeCodes::new(
                Arc::new(self.limiter),
                Arc::new(self.codes),
                Arc::new(self.generator),
                Arc::new(self.outbox),
                self.policy,
            ))
        }

        /// Expects one check of `target`'s `purpose` code, answering `outcome`.
        pub(crate) fn check_answers(mut self, target: &'static str, purpose: CodePurpose, outcome: CodeCheck) -> Self {
            self.codes
                .expect_check()
                .withf(move |key, _, max| key.target == target && key.purpose == purpose && *max == 5)
                .times(1)
                .returning(move |_, _, _| Ok(outcome));
            self
        }
    }

    fn ip() -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))
    }

    fn email_reset() -> CodeRecipient {
        CodeRecipient { channel: Channel::Email, purpose: CodePurpose::ResetPassword, target: "a@example.com".into() }
    }

    fn code(raw: &str) -> VerificationCode {
        VerificationCode::parse(raw).unwrap()
    }

    #[tokio::test]
    async fn a_code_is_saved_and_queued_within_the_target_and_address_limits() {
        let mut ports = CodePorts::default();
        ports
            .limiter
            .expect_acquire()
            .withf(|limits| {
                let keys: Vec<_> = limits.iter().map(|l| (l.key.as_str(), l.max, l.window.as_secs())).collect();
                keys == [
                    ("email:resend:a@example.com", 1, 60),
                    ("email:daily:a@example.com", 10, 86_400),
                    ("codes:ip:10.0.0.9", 20, 3_600),
                ]
            })
            .times(1)
            .returning(|_| Ok(RateDecision::Allowed));
        ports.generator.expect_verification_code().returning(|| code("654321"));
        ports
            .codes
            .expect_save()
            .withf(|key, saved, ttl| *key == email_reset().key() && saved.expose() == "654321" && ttl.as_secs() == 300)
            .times(1)
            .returning(|_, _, _| Ok(()));
        ports
            .outbox
            .expect_enqueue()
            .withf(|m| {
                m.channel == Channel::Email
                    && m.to == "a@example.com"
                    && m.content == MessageContent::Code { purpose: CodePurpose::ResetPassword, code: code("654321") }
            })
            .times(1)
            .returning(|_| Ok(()));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Ok(()));
    }

    #[tokio::test]
    async fn a_reached_limit_refuses_with_the_wait_and_sends_nothing() {
        let mut ports = CodePorts::default();
        let wait = Duration::from_secs(41);
        ports.limiter.expect_acquire().returning(move |_| Ok(RateDecision::Limited { retry_after: wait }));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Err(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_test_target_gets_its_fixed_code_without_limits_or_message() {
        let mut ports = CodePorts::default();
        ports.policy.email_fixed_codes = FixedCodeTargets::parse("a@example.com=135790", str::to_owned).unwrap();
        ports
            .codes
            .expect_save()
            .withf(|key, saved, _| *key == email_reset().key() && saved.expose() == "135790")
            .times(1)
            .returning(|_, _, _| Ok(()));
        // No limiter, generator or outbox expectation: touching them fails the test.
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Ok(()));
    }

    #[tokio::test]
    async fn fixed_code_targets_of_one_channel_do_not_apply_to_the_other() {
        let mut ports = CodePorts::default();
        ports.policy.sms_fixed_codes = FixedCodeTargets::parse("a@example.com=135790", str::to_owned).unwrap();
        ports.limiter.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports.generator.expect_verification_code().returning(|| code("654321"));
        ports.codes.expect_save().withf(|_, saved, _| saved.expose() == "654321").returning(|_, _, _| Ok(()));
        ports.outbox.expect_enqueue().times(1).returning(|_| Ok(()));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Ok(()));
    }

    /// Expects the limits of one send to `a@example.com` to be taken, and given back `releases` times.
    fn charged(ports: &mut CodePorts, releases: usize) {
        ports.limiter.expect_acquire().times(1).returning(|_| Ok(RateDecision::Allowed));
        ports
            .limiter
            .expect_release()
            .withf(|limits| limits.len() == 3 && limits[0].key == "email:resend:a@example.com")
            .times(releases)
            .returning(|_| Ok(()));
        ports.generator.expect_verification_code().returning(|| code("654321"));
    }

    #[tokio::test]
    async fn a_queue_outage_is_unavailable_and_gives_the_limits_back() {
        let mut ports = CodePorts::default();
        charged(&mut ports, 1);
        ports.codes.expect_save().returning(|_, _, _| Ok(()));
        ports.outbox.expect_enqueue().returning(|_| Err(MessagingError::Unavailable("down".into())));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Err(AppError::Unavailable(Backend::Messaging)));
    }

    #[tokio::test]
    async fn a_code_that_cannot_be_saved_is_unavailable_and_gives_the_limits_back() {
        let mut ports = CodePorts::default();
        charged(&mut ports, 1);
        ports.codes.expect_save().returning(|_, _, _| Err(CacheError::Unavailable("reconnecting".into())));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Err(AppError::Unavailable(Backend::Cache)));
    }

    #[tokio::test]
    async fn a_refund_that_fails_too_still_answers_the_first_failure() {
        let mut ports = CodePorts::default();
        ports.limiter.expect_acquire().returning(|_| Ok(RateDecision::Allowed));
        ports.limiter.expect_release().times(1).returning(|_| Err(CacheError::Unavailable("down".into())));
        ports.generator.expect_verification_code().returning(|| code("654321"));
        ports.codes.expect_save().returning(|_, _, _| Ok(()));
        ports.outbox.expect_enqueue().returning(|_| Err(MessagingError::Unavailable("down".into())));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Err(AppError::Unavailable(Backend::Messaging)));
    }

    #[tokio::test]
    async fn a_sent_code_keeps_its_charge() {
        let mut ports = CodePorts::default();
        charged(&mut ports, 0);
        ports.codes.expect_save().returning(|_, _, _| Ok(()));
        ports.outbox.expect_enqueue().returning(|_| Ok(()));
        assert_eq!(ports.build().send(&email_reset(), ip()).await, Ok(()));
    }

    #[tokio::test]
    async fn each_check_outcome_maps_to_its_field_error() {
        let cases = [
            (CodeCheck::Accepted, None),
            (CodeCheck::Rejected { attempts_left: 3 }, Some(Problem::CodeWrong { attempts_left: 3 })),
            (CodeCheck::Exhausted, Some(Problem::CodeExhausted)),
            (CodeCheck::Missing, Some(Problem::CodeExpired)),
        ];
        for (outcome, problem) in cases {
            let codes =
                CodePorts::default().check_answers("a@example.com", CodePurpose::ResetPassword, outcome).build();
            let got = codes.verify(&email_reset(), &code("111111"), Field::EmailCode).await;
            assert_eq!(got, problem.map_or(Ok(()), |problem| Err(AppError::field(Field::EmailCode, problem))));
        }
    }

    #[tokio::test]
    async fn a_first_wrong_try_leaves_all_but_one_attempt_or_burns_a_single_try_code() {
        let codes = CodePorts::default().build();
        let got = codes.first_wrong_try(Field::SmsCode);
        assert_eq!(got, AppError::field(Field::SmsCode, Problem::CodeWrong { attempts_left: 4 }));
        let mut single_try = CodePorts::default();
        single_try.policy.max_attempts = 1;
        let got = single_try.build().first_wrong_try(Field::SmsCode);
        assert_eq!(got, AppError::field(Field::SmsCode, Problem::CodeExhausted));
    }

    #[tokio::test]
    async fn a_cache_outage_while_checking_is_unavailable() {
        let mut ports = CodePorts::default();
        ports.codes.expect_check().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        let got = ports.build().verify(&email_reset(), &code("111111"), Field::EmailCode).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Cache)));
    }
}
