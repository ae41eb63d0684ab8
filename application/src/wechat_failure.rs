//! WeChat's refusals mapped as `PROVIDERS.md` asks, for every WeChat call.

use std::time::Duration;

use crate::ports::ProviderError;
use crate::{AppError, Field, Problem};

/// A bad or used code is the client's (400), WeChat's rate limit a 429, a
/// blocked high-risk user a 403; the rest is WeChat's (502).
pub(crate) fn wechat_failure(error: ProviderError) -> AppError {
    match error {
        ProviderError::Refused { code: 40029 | 40163, .. } => {
            AppError::field(Field::NonField, Problem::OAuthCodeInvalid)
        }
        ProviderError::Refused { code: 45011, .. } => AppError::RateLimited { retry_after: Duration::from_secs(60) },
        ProviderError::Refused { code: 40226, .. } => AppError::Forbidden,
        ProviderError::Refused { code, .. } => AppError::Upstream { provider: "wechat", code: Some(code) },
        ProviderError::Unavailable(_) => AppError::Upstream { provider: "wechat", code: None },
    }
}
