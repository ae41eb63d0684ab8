use async_trait::async_trait;
use domain::CaptchaText;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// Every drawing slot stayed taken for the whole wait: the request is shed.
    #[error("every captcha drawing slot is busy")]
    Busy,
    #[error("{0}")]
    Failed(String),
}

pub struct RenderedCaptcha {
    pub text: CaptchaText,
    pub png: Vec<u8>,
}

/// Draws a fresh random captcha.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CaptchaRenderer: Send + Sync {
    async fn render(&self) -> Result<RenderedCaptcha, RenderError>;
}
