//! What a provider's failure means to the client, the same for every provider: the
//! adapters have already read the provider's own codes (`ProviderError`).
//! A service, not a port: it is the application's reading of a port's failure,
//! shared by every use case that calls a provider.

use std::time::Duration;

use crate::ports::ProviderError;
use crate::{AppError, Field, Problem};

/// A rejected code is the client's (400: start again), a throttled call a 429, a blocked
/// person a 403; anything else is the provider's (502, with its code when it gave one).
pub(crate) fn provider_failure(provider: &'static str, error: ProviderError) -> AppError {
    match error {
        ProviderError::CodeRejected => AppError::field(Field::NonField, Problem::OAuthCodeInvalid),
        ProviderError::Throttled => AppError::RateLimited { retry_after: Duration::from_secs(60) },
        ProviderError::Blocked => AppError::Forbidden,
        ProviderError::Refused { code, .. } => AppError::Upstream { provider, code: Some(code) },
        ProviderError::Unavailable(_) => AppError::Upstream { provider, code: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_has_its_answer() {
        let cases = [
            (ProviderError::CodeRejected, AppError::field(Field::NonField, Problem::OAuthCodeInvalid)),
            (ProviderError::Throttled, AppError::RateLimited { retry_after: Duration::from_secs(60) }),
            (ProviderError::Blocked, AppError::Forbidden),
            (
                ProviderError::Refused { code: 100010, message: "redirect uri is illegal".into() },
                AppError::Upstream { provider: "qq", code: Some(100010) },
            ),
            (ProviderError::Unavailable("timeout".into()), AppError::Upstream { provider: "qq", code: None }),
        ];
        for (error, expected) in cases {
            assert_eq!(provider_failure("qq", error.clone()), expected, "{error:?}");
        }
    }
}
