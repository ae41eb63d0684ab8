//! What each of dysmsapi's answer codes means for a message.
//!
//! Sources: SendSms's error codes (https://help.aliyun.com/zh/sms/developer-reference/api-error-codes)
//! and the OpenAPI gateway's common ones (signature, throttling, service errors). `isv.*` codes
//! come with HTTP 200 beside `Code != "OK"`; gateway codes come with a 4xx or 5xx.

/// How a refused or failed send is to be treated; the sender turns it into a neutral
/// [`application::ports::DeliveryError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// This number hit its per-minute/hour flow control: the same message goes through later,
    /// and another provider would only add to what the number already received.
    NumberThrottled,
    /// The account is out of balance, stopped, throttled as a whole or failing: this provider
    /// cannot carry the message now, another one may.
    Unavailable,
    /// The same request would be refused again: number, template, signature, credentials.
    Permanent,
}

/// Per-number flow control, lifting within minutes.
const NUMBER_THROTTLED: &[&str] = &["isv.BUSINESS_LIMIT_CONTROL"];

/// The account cannot send now: quotas, balance, suspension, API throttling, service trouble.
const UNAVAILABLE: &[&str] = &[
    "isv.DAY_LIMIT_CONTROL",
    "isv.MONTH_LIMIT_CONTROL",
    "isv.OUT_OF_SERVICE",
    "isv.AMOUNT_NOT_ENOUGH",
    "isp.SYSTEM_ERROR",
    "isv.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "ServiceUnavailable",
    "InternalError",
    // A nonce seen before: the next attempt carries a fresh one.
    "SignatureNonceUsed",
];

/// Whether to wait, move on to another provider, or give up, for a `Code` other than `OK`.
///
/// `isv.*` and the gateway's request errors not listed above are permanent: they name the
/// number, the template, the signature, the parameters or the credentials. Any other unknown
/// code counts as the provider being unavailable: the outbox gives up after a few attempts
/// anyway, while taking a new kind of outage for a permanent refusal would lose the code.
pub(super) fn classify(code: &str) -> Failure {
    if NUMBER_THROTTLED.contains(&code) {
        return Failure::NumberThrottled;
    }
    if UNAVAILABLE.contains(&code) {
        return Failure::Unavailable;
    }
    let permanent_prefixes = [
        "isv.",
        "isp.RAM_PERMISSION_DENY",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "InvalidTimeStamp",
        "MissingParameter",
        "InvalidParameter",
        "InvalidAction",
        "InvalidVersion",
        "Forbidden",
        "UnsupportedHTTPMethod",
    ];
    if permanent_prefixes.iter().any(|prefix| code.starts_with(prefix)) {
        Failure::Permanent
    } else {
        Failure::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_number_flow_control_waits() {
        assert_eq!(classify("isv.BUSINESS_LIMIT_CONTROL"), Failure::NumberThrottled);
    }

    #[test]
    fn account_limits_balance_and_outages_make_the_provider_unavailable() {
        for code in [
            "isv.DAY_LIMIT_CONTROL",
            "isv.MONTH_LIMIT_CONTROL",
            "isv.OUT_OF_SERVICE",
            "isv.AMOUNT_NOT_ENOUGH",
            "isp.SYSTEM_ERROR",
            "Throttling.User",
            "ServiceUnavailable",
            "SomethingAlibabaAddsLater",
        ] {
            assert_eq!(classify(code), Failure::Unavailable, "{code}");
        }
    }

    #[test]
    fn number_template_signature_and_credential_errors_are_permanent() {
        for code in [
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.SMS_SIGN_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "isv.INVALID_PARAMETERS",
            "isv.BLACK_KEY_CONTROL_LIMIT",
            "isp.RAM_PERMISSION_DENY",
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId.NotFound",
            "InvalidTimeStamp.Expired",
            "MissingParameter.PhoneNumbers",
        ] {
            assert_eq!(classify(code), Failure::Permanent, "{code}");
        }
    }
}
