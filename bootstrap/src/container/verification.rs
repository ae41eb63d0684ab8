//! What proves a phone, a mailbox or a step of a flow: captchas, one-time
//! codes and signed flow tokens.

use std::sync::Arc;

use application::ports::{CaptchaStore, MessageOutbox, RateLimiter, UserRepository, VerificationCodeStore};
use application::use_cases::{IssueCaptcha, SendEmailCode, SendSmsCode};
use application::{FlowTokens, OneTimeCodes, VerificationPolicy};
use http_api::CodeUseCases;
use providers::captcha::PngCaptchaRenderer;
use security::system::RandomCodeGenerator;
use security::{JwtFlowTokenSigner, ServiceSecret};

use super::or_cpu_count;
use crate::config::Config;

/// The services the code-checking use cases share.
pub(super) struct Verification {
    pub codes: Arc<OneTimeCodes>,
    pub flow_tokens: Arc<FlowTokens>,
}

impl Verification {
    pub fn wire(
        secret: &ServiceSecret,
        codes: Arc<dyn VerificationCodeStore>,
        limiter: &Arc<dyn RateLimiter>,
        outbox: Arc<dyn MessageOutbox>,
        policy: VerificationPolicy,
    ) -> Self {
        let codes = OneTimeCodes::new(limiter.clone(), codes, Arc::new(RandomCodeGenerator), outbox, policy);
        let flow_tokens = FlowTokens::new(Arc::new(JwtFlowTokenSigner::new(secret)), limiter.clone());
        Self { codes: Arc::new(codes), flow_tokens: Arc::new(flow_tokens) }
    }
}

/// Captchas and the codes sent to a phone or a mailbox.
pub(super) fn code_use_cases(
    config: &Config,
    verification: &Verification,
    captchas: &Arc<dyn CaptchaStore>,
    limiter: &Arc<dyn RateLimiter>,
    users: &Arc<dyn UserRepository>,
    policy: VerificationPolicy,
) -> CodeUseCases {
    let renderer = Arc::new(PngCaptchaRenderer::new(or_cpu_count(config.captcha_render_concurrency)));
    CodeUseCases {
        issue_captcha: IssueCaptcha::new(renderer, captchas.clone(), limiter.clone(), policy),
        send_sms_code: SendSmsCode::new(captchas.clone(), verification.codes.clone()),
        send_email_code: SendEmailCode::new(users.clone(), verification.codes.clone()),
    }
}
