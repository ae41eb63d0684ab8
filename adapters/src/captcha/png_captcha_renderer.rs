use application::ports::{CaptchaRenderer, RenderError, RenderedCaptcha};
use async_trait::async_trait;
use captcha::Captcha;
use captcha::filters::{Dots, Noise, Wave};
use domain::CaptchaText;

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
const ALPHABET: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Draws 4-character PNG captchas with the `captcha` crate. Its `Captcha` is
/// not `Send`, so each picture is drawn start to finish on the blocking pool.
#[derive(Debug, Default, Clone, Copy)]
pub struct PngCaptchaRenderer;

fn draw() -> Result<RenderedCaptcha, RenderError> {
    let mut captcha = Captcha::new();
    let supported = captcha.supported_chars();
    let alphabet: Vec<char> = ALPHABET.chars().filter(|c| supported.contains(c)).collect();
    captcha
        .set_chars(&alphabet)
        .add_chars(CaptchaText::LEN as u32)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 12.0).horizontal())
        .view(160, 60)
        .apply_filter(Dots::new(6));
    let (text, png) = captcha.as_tuple().ok_or_else(|| RenderError::Failed("PNG encoding failed".into()))?;
    let text = CaptchaText::parse(&text).map_err(|e| RenderError::Failed(format!("drew an unusable text: {e}")))?;
    Ok(RenderedCaptcha { text, png })
}

#[async_trait]
impl CaptchaRenderer for PngCaptchaRenderer {
    async fn render(&self) -> Result<RenderedCaptcha, RenderError> {
        tokio::task::spawn_blocking(draw).await.map_err(|e| RenderError::Failed(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renders_a_png_with_four_unambiguous_characters() {
        let captcha = PngCaptchaRenderer.render().await.unwrap();
        assert!(captcha.png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(captcha.text.as_str().len(), 4);
        assert!(captcha.text.as_str().chars().all(|c| ALPHABET.contains(c)), "{}", captcha.text.as_str());
    }
}
