use std::net::IpAddr;
use std::sync::Arc;

use domain::{CaptchaId, CaptchaText, Mobile};

use crate::ports::{CaptchaStore, Channel, CodePurpose};
use crate::services::captcha_answer::check_captcha;
use crate::{AppError, CodeRecipient, Field, FieldErrors, OneTimeCodes, Problem};

pub struct SendSmsCodeRequest {
    pub mobile: String,
    pub captcha_id: String,
    pub captcha_text: String,
    pub client_ip: IpAddr,
}

/// Sends a registration code to a mobile once the captcha is solved, within
/// the resend, daily and per-address limits.
pub struct SendSmsCode {
    captchas: Arc<dyn CaptchaStore>,
    codes: Arc<OneTimeCodes>,
}

impl SendSmsCode {
    pub fn new(captchas: Arc<dyn CaptchaStore>, codes: Arc<OneTimeCodes>) -> Self {
        Self { captchas, codes }
    }

    pub async fn execute(&self, request: SendSmsCodeRequest) -> Result<(), AppError> {
        let mut errors = FieldErrors::default();
        let mobile = errors.check(Field::Mobile, Mobile::parse(&request.mobile), Problem::Mobile);
        let id = errors.check(Field::ImageCodeId, CaptchaId::parse(&request.captcha_id), Problem::CaptchaId);
        let text = errors.check(Field::ImageCodeText, CaptchaText::parse(&request.captcha_text), Problem::CaptchaText);
        let (Some(mobile), Some(id), Some(text)) = (mobile, id, text) else {
            return Err(errors.into_error());
        };

        check_captcha(self.captchas.as_ref(), &id, &text).await?;

        let recipient =
            CodeRecipient { channel: Channel::Sms, purpose: CodePurpose::Register, target: mobile.to_string() };
        self.codes.send(&recipient, request.client_ip).await
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use domain::{CaptchaTextError, MobileError, VerificationCode};

    use std::time::Duration;

    use super::*;
    use crate::ports::{CacheError, MessageContent, MessagingError, MockCaptchaStore, RateDecision};
    use crate::services::one_time_codes::tests::CodePorts;
    use crate::{Backend, VerificationPolicy};

    const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

    struct Ports {
        captchas: MockCaptchaStore,
        limiter: crate::ports::MockRateLimiter,
        codes: crate::ports::MockVerificationCodeStore,
        generator: crate::ports::MockCodeGenerator,
        outbox: crate::ports::MockMessageOutbox,
    }

    impl Ports {
        fn new() -> Self {
            let CodePorts { limiter, codes, generator, outbox, .. } = CodePorts::default();
            Self { captchas: MockCaptchaStore::new(), limiter, codes, generator, outbox }
        }

        fn captcha_answer(mut self, answer: Option<&'static str>) -> Self {
            self.captchas.expect_take().times(1).returning(move |_| Ok(answer.map(|a| CaptchaText::parse(a).unwrap())));
            self
        }

        fn limits(mut self, decision: RateDecision) -> Self {
            self.limiter.expect_acquire().times(1).returning(move |_| Ok(decision));
            self
        }

        fn use_case(self) -> SendSmsCode {
            let codes = CodePorts {
                limiter: self.limiter,
                codes: self.codes,
                generator: self.generator,
                outbox: self.outbox,
                policy: VerificationPolicy::default(),
            };
            SendSmsCode::new(Arc::new(self.captchas), codes.build())
        }
    }

    fn request(text: &str) -> SendSmsCodeRequest {
        SendSmsCodeRequest {
            mobile: "+86 138-0013-8000".into(),
            captcha_id: ID.into(),
            captcha_text: text.into(),
            client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)),
        }
    }

    #[tokio::test]
    async fn a_solved_captcha_sends_a_fresh_code_within_every_limit() {
        let mut ports = Ports::new().captcha_answer(Some("AB12"));
        ports
            .limiter
            .expect_acquire()
            .withf(|limits| {
                let keys: Vec<_> = limits.iter().map(|l| (l.key.as_str(), l.max, l.window.as_secs())).collect();
                keys == [
                    ("sms:resend:13800138000", 1, 60),
                    ("sms:daily:13800138000", 10, 86_400),
                    ("codes:ip:10.0.0.9", 20, 3_600),
                ]
            })
            .returning(|_| Ok(RateDecision::Allowed));
        ports.generator.expect_verification_code().returning(|| VerificationCode::parse("123456").unwrap());
        ports
            .codes
            .expect_save()
            .withf(|key, code, ttl| {
                key.target == "13800138000"
                    && key.purpose == CodePurpose::Register
                    && code.expose() == "123456"
                    && ttl.as_secs() == 300
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        ports
            .outbox
            .expect_enqueue()
            .withf(|m| {
                m.to == "13800138000"
                    && m.channel == Channel::Sms
                    && m.content
                        == MessageContent::Code {
                            purpose: CodePurpose::Register,
                            code: VerificationCode::parse("123456").unwrap(),
                        }
            })
            .times(1)
            .returning(|_| Ok(()));
        assert_eq!(ports.use_case().execute(request("ab12")).await, Ok(()));
    }

    #[tokio::test]
    async fn malformed_input_is_refused_field_by_field_before_the_captcha_is_spent() {
        let got = Ports::new()
            .use_case()
            .execute(SendSmsCodeRequest { mobile: "123".into(), captcha_text: String::new(), ..request("") })
            .await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(
            errors.iter().map(|e| (e.field, e.problem)).collect::<Vec<_>>(),
            [
                (Field::Mobile, Problem::Mobile(MobileError::Format)),
                (Field::ImageCodeText, Problem::CaptchaText(CaptchaTextError::Empty)),
            ]
        );
    }

    #[tokio::test]
    async fn a_wrong_captcha_is_refused() {
        let got = Ports::new().captcha_answer(Some("ZZZZ")).use_case().execute(request("AB12")).await;
        assert_eq!(got, Err(AppError::field(Field::ImageCodeText, Problem::CaptchaWrong)));
    }

    #[tokio::test]
    async fn an_expired_or_used_captcha_is_refused() {
        let got = Ports::new().captcha_answer(None).use_case().execute(request("AB12")).await;
        assert_eq!(got, Err(AppError::field(Field::ImageCodeText, Problem::CaptchaWrong)));
    }

    #[tokio::test]
    async fn a_limit_that_is_reached_refuses_with_the_wait() {
        let wait = Duration::from_secs(37);
        let got = Ports::new()
            .captcha_answer(Some("AB12"))
            .limits(RateDecision::Limited { retry_after: wait })
            .use_case()
            .execute(request("AB12"))
            .await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: wait }));
    }

    #[tokio::test]
    async fn a_cache_outage_is_unavailable() {
        let mut ports = Ports::new();
        ports.captchas.expect_take().returning(|_| Err(CacheError::Unavailable("down".into())));
        assert_eq!(ports.use_case().execute(request("AB12")).await, Err(AppError::Unavailable(Backend::Cache)));
    }

    #[tokio::test]
    async fn a_messaging_outage_is_unavailable_and_gives_the_send_limits_back() {
        let mut ports = Ports::new().captcha_answer(Some("AB12")).limits(RateDecision::Allowed);
        ports.limiter.expect_release().times(1).returning(|_| Ok(()));
        ports.generator.expect_verification_code().returning(|| VerificationCode::parse("123456").unwrap());
        ports.codes.expect_save().returning(|_, _, _| Ok(()));
        ports.outbox.expect_enqueue().returning(|_| Err(MessagingError::Unavailable("down".into())));
        assert_eq!(ports.use_case().execute(request("AB12")).await, Err(AppError::Unavailable(Backend::Messaging)));
    }
}
