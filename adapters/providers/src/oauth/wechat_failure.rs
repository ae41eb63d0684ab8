//! WeChat's errcodes, read once, here: what they mean to every provider's caller, for
//! every WeChat call (mini-program login, QR login, phone number).

use application::ports::ProviderError;

/// 40029: the code is invalid or expired; 40163: it was used already.
const CODE_REJECTED: [i64; 2] = [40029, 40163];
/// 45011: WeChat's per-user frequency limit.
const THROTTLED: i64 = 45011;
/// 40226: a high-risk user WeChat has blocked.
const BLOCKED: i64 = 40226;

/// WeChat's refusal in provider-neutral terms; other errcodes stay WeChat's, to be shown as they are.
pub(super) fn classified(error: ProviderError) -> ProviderError {
    match error {
        ProviderError::Refused { code, .. } if CODE_REJECTED.contains(&code) => ProviderError::CodeRejected,
        ProviderError::Refused { code: THROTTLED, .. } => ProviderError::Throttled,
        ProviderError::Refused { code: BLOCKED, .. } => ProviderError::Blocked,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechat_s_errcodes_become_neutral_failures() {
        let refused = |code| ProviderError::Refused { code, message: "m".into() };
        assert_eq!(classified(refused(40029)), ProviderError::CodeRejected);
        assert_eq!(classified(refused(40163)), ProviderError::CodeRejected);
        assert_eq!(classified(refused(45011)), ProviderError::Throttled);
        assert_eq!(classified(refused(40226)), ProviderError::Blocked);
        assert_eq!(classified(refused(40013)), refused(40013));
        assert_eq!(classified(ProviderError::Unavailable("x".into())), ProviderError::Unavailable("x".into()));
    }
}
