//! Checking a captcha answer, shared by every request a captcha guards.

use domain::{CaptchaId, CaptchaText};

use crate::ports::CaptchaStore;
use crate::{AppError, Field, Problem};

/// Spends the captcha and checks the answer: it is gone after this, right or
/// wrong, so each picture gets one guess. Wrong, expired and unknown look alike.
pub(crate) async fn check_captcha(
    captchas: &dyn CaptchaStore,
    id: &CaptchaId,
    answer: &CaptchaText,
) -> Result<(), AppError> {
    match captchas.take(id).await? {
        Some(expected) if expected == *answer => Ok(()),
        _ => Err(AppError::field(Field::ImageCodeText, Problem::CaptchaWrong)),
    }
}
