//! QQ Connect's error codes, read once, here: what they mean to every provider's caller.

use application::ports::ProviderError;

/// 100019: the code is unknown or expired; 100020: it was used already.
const CODE_REJECTED: [i64; 2] = [100_019, 100_020];

/// QQ's refusal in provider-neutral terms; other codes stay QQ's, to be shown as they are.
pub(super) fn classified(error: ProviderError) -> ProviderError {
    match error {
        ProviderError::Refused { code, .. } if CODE_REJECTED.contains(&code) => ProviderError::CodeRejected,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_qq_s_code_refusals_become_code_rejected() {
        let refused = |code| ProviderError::Refused { code, message: "m".into() };
        assert_eq!(classified(refused(100_019)), ProviderError::CodeRejected);
        assert_eq!(classified(refused(100_020)), ProviderError::CodeRejected);
        assert_eq!(classified(refused(100_010)), refused(100_010));
        assert_eq!(classified(ProviderError::Unavailable("x".into())), ProviderError::Unavailable("x".into()));
    }
}
