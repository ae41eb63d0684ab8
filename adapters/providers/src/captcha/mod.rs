//! Captcha pictures.

mod png_captcha_renderer;

pub use png_captcha_renderer::PngCaptchaRenderer;
