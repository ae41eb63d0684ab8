//! Which of Tencent Cloud's error codes are worth retrying.
//!
//! Sources: the common API 3.0 error codes (https://cloud.tencent.com/document/api/382/52075)
//! and SMS's own (https://cloud.tencent.com/document/api/382/59177, and the `sms/v20210111`
//! error list of the official SDKs). The same codes come back in two places: a request-level
//! `Response.Error.Code`, or a per-number `SendStatusSet[].Code` beside an `Ok` request.

/// Per-window sending limits that lift by themselves within minutes, so a later attempt goes through.
const TRANSIENT: &[&str] = &[
    // 30 s and 1 h windows per number; the outbox's backoff waits them out (the daily one it cannot).
    "LimitExceeded.PhoneNumberThirtySecondLimit",
    "LimitExceeded.PhoneNumberOneHourLimit",
    // "下发短信命中了频率限制策略": the account's frequency policy.
    "LimitExceeded.DeliveryFrequencyLimit",
    // Marketing texts are held back outside 08:00–22:00.
    "FailedOperation.MarketingSendTimeConstraint",
];

/// The account cannot send now, whatever the number: no balance left, or its daily quota
/// spent. Another provider may carry the message.
const ACCOUNT_EXHAUSTED: &[&str] = &["FailedOperation.InsufficientBalanceInSmsPackage", "LimitExceeded.AppDailyLimit"];

/// What a failure with this code means for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// A per-window limit of this number (or of the account's frequency policy): the same
    /// provider takes it later; another would only reach the person twice.
    Later,
    /// The provider is failing, busy as a whole, out of balance or quota: retried, or handed
    /// to the next provider.
    Unavailable,
    /// The same request would be refused again.
    Permanent,
}

/// Sorts a code into [`Failure`]s.
pub(super) fn classify(code: &str) -> Failure {
    if ACCOUNT_EXHAUSTED.contains(&code) {
        Failure::Unavailable
    } else if TRANSIENT.contains(&code) {
        Failure::Later
    } else if is_transient(code) {
        Failure::Unavailable
    } else {
        Failure::Permanent
    }
}

/// `InternalError.*` codes that describe the request, not the provider's health.
const PERMANENT_INTERNAL: &[&str] = &[
    "InternalError.JsonParseFail",
    "InternalError.SigFieldMissing",
    "InternalError.SigVerificationFail",
    "InternalError.RestApiInterfaceNotExist",
];

/// Families where the provider or the path to it is busy or failing.
const TRANSIENT_FAMILIES: &[&str] =
    &["InternalError", "RequestLimitExceeded", "ResourceUnavailable", "ResourceInsufficient", "ServiceUnavailable"];

/// Families that the same request will hit again: credentials, permissions, parameters,
/// content, balance, quotas, unsupported calls.
const PERMANENT_FAMILIES: &[&str] = &[
    "AuthFailure",
    "UnauthorizedOperation",
    "InvalidParameter",
    "InvalidParameterValue",
    "MissingParameter",
    "UnknownParameter",
    "InvalidAction",
    "InvalidRequest",
    "ActionOffline",
    "NoSuchProduct",
    "NoSuchVersion",
    "UnsupportedOperation",
    "UnsupportedProtocol",
    "UnsupportedRegion",
    "IpInBlacklist",
    "IpNotInWhitelist",
    "RequestSizeLimitExceeded",
    "ResourceNotFound",
    "LimitExceeded",
    "FailedOperation",
];

/// Whether a failure with this code may succeed on a later attempt.
///
/// An unknown code counts as transient: the outbox gives up after a few attempts anyway,
/// while taking a new kind of outage for a permanent refusal would lose the code.
fn is_transient(code: &str) -> bool {
    if TRANSIENT.contains(&code) {
        return true;
    }
    if PERMANENT_INTERNAL.contains(&code) {
        return false;
    }
    if in_family(code, TRANSIENT_FAMILIES) {
        return true;
    }
    !in_family(code, PERMANENT_FAMILIES)
}

fn in_family(code: &str, families: &[&str]) -> bool {
    families.iter().any(|family| code.strip_prefix(family).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_number_limits_lift_except_the_daily_ones() {
        assert!(is_transient("LimitExceeded.PhoneNumberThirtySecondLimit"));
        assert!(is_transient("LimitExceeded.PhoneNumberOneHourLimit"));
        assert!(is_transient("LimitExceeded.DeliveryFrequencyLimit"));
        assert!(!is_transient("LimitExceeded.PhoneNumberDailyLimit"));
        assert!(!is_transient("LimitExceeded.PhoneNumberSameContentDailyLimit"));
        assert!(!is_transient("LimitExceeded.AppDailyLimit"));
    }

    #[test]
    fn request_problems_are_permanent() {
        for code in [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SecretIdNotFound",
            "AuthFailure.SignatureExpire",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
            "InvalidParameter",
            "InvalidParameterValue.IncorrectPhoneNumber",
            "InvalidParameterValue.TemplateParameterFormatError",
            "MissingParameter",
            "MissingParameter.EmptyPhoneNumberSet",
            "FailedOperation.ContainSensitiveWord",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "FailedOperation.InsufficientBalanceInSmsPackage",
            "FailedOperation.PhoneNumberInBlacklist",
            "InternalError.SigVerificationFail",
            "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
        ] {
            assert!(!is_transient(code), "{code}");
        }
    }

    #[test]
    fn provider_trouble_is_transient() {
        for code in [
            "InternalError",
            "InternalError.Timeout",
            "InternalError.SendAndRecvFail",
            "InternalError.UnknownError",
            "RequestLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
            "ResourceUnavailable",
            "ServiceUnavailable",
            "SomethingTencentAddsLater.Unknown",
        ] {
            assert!(is_transient(code), "{code}");
        }
    }

    #[test]
    fn per_number_limits_wait_while_provider_trouble_and_an_exhausted_account_make_it_unavailable() {
        assert_eq!(classify("LimitExceeded.PhoneNumberOneHourLimit"), Failure::Later);
        assert_eq!(classify("InternalError.Timeout"), Failure::Unavailable);
        assert_eq!(classify("RequestLimitExceeded"), Failure::Unavailable);
        assert_eq!(classify("FailedOperation.InsufficientBalanceInSmsPackage"), Failure::Unavailable);
        assert_eq!(classify("LimitExceeded.AppDailyLimit"), Failure::Unavailable);
        assert_eq!(classify("LimitExceeded.PhoneNumberDailyLimit"), Failure::Permanent);
        assert_eq!(classify("InvalidParameterValue.IncorrectPhoneNumber"), Failure::Permanent);
    }

    #[test]
    fn a_family_matches_whole_segments_only() {
        // `InvalidParameterValue` is its own family, not `InvalidParameter` with a longer name.
        assert!(in_family("InvalidParameterValue.X", &["InvalidParameterValue"]));
        assert!(!in_family("InvalidParameterValue.X", &["InvalidParameter"]));
        assert!(!in_family("AuthFailures", &["AuthFailure"]));
    }
}
