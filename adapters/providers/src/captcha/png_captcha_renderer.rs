use std::sync::Arc;
use std::time::Duration;

use application::ports::{CaptchaRenderer, RenderError, RenderedCaptcha};
use async_trait::async_trait;
use captcha::Captcha;
use captcha::filters::{Dots, Noise, Wave};
use domain::CaptchaText;
use tokio::sync::Semaphore;

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
const ALPHABET: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// How long a request waits for a drawing slot before it is turned away
/// ([`RenderError::Busy`], a 429 with `Retry-After: 1`): long enough to ride
/// out a short queue, short enough that a flood does not pile up waiting
/// requests.
const SLOT_WAIT: Duration = Duration::from_secs(1);

/// Draws 4-character PNG captchas with the `captcha` crate. Its `Captcha` is
/// not `Send`, so each picture is drawn start to finish on the blocking pool,
/// at most `concurrency` at once so that a flood of captcha requests cannot
/// occupy the pool (which password hashing and SQLite also use).
#[derive(Debug, Clone)]
pub struct PngCaptchaRenderer {
    slots: Arc<Semaphore>,
    slot_wait: Duration,
}

impl PngCaptchaRenderer {
    pub fn new(concurrency: usize) -> Self {
        Self { slots: Arc::new(Semaphore::new(concurrency.max(1))), slot_wait: SLOT_WAIT }
    }
}

#[allow(clippy::cast_possible_truncation, reason = "CaptchaText::LEN is a handful of characters")]
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
        let _slot = match tokio::time::timeout(self.slot_wait, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(closed)) => return Err(RenderError::Failed(closed.to_string())),
            Err(_) => return Err(RenderError::Busy),
        };
        tokio::task::spawn_blocking(draw).await.map_err(|e| RenderError::Failed(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renders_a_png_with_four_unambiguous_characters() {
        let captcha = PngCaptchaRenderer::new(1).render().await.unwrap();
        assert!(captcha.png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(captcha.text.as_str().len(), 4);
        assert!(captcha.text.as_str().chars().all(|c| ALPHABET.contains(c)), "{}", captcha.text.as_str());
    }

    #[tokio::test]
    async fn a_request_that_finds_every_slot_taken_is_turned_away_not_queued_forever() {
        let renderer = PngCaptchaRenderer { slot_wait: Duration::from_millis(20), ..PngCaptchaRenderer::new(1) };
        let held = renderer.slots.clone().acquire_owned().await.unwrap();
        let waited = tokio::time::timeout(Duration::from_secs(5), renderer.render()).await;
        assert!(matches!(waited, Ok(Err(RenderError::Busy))));
        drop(held);
        assert!(renderer.render().await.is_ok());
    }
}
