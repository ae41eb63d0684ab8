use serde::Deserialize;

/// What a `SendSms` answer says about the one number it was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SendSmsOutcome {
    Sent {
        request_id: String,
    },
    /// A request-level `Error`, or the number's status code when it is not `Ok`.
    Failed {
        code: String,
        message: String,
        request_id: String,
    },
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Body,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Body {
    error: Option<CodeAndMessage>,
    #[serde(default)]
    send_status_set: Vec<CodeAndMessage>,
    #[serde(default)]
    request_id: String,
}

/// Both `Error` and each `SendStatus` carry a `Code` and a `Message`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CodeAndMessage {
    code: String,
    #[serde(default)]
    message: String,
}

/// Reads an answer. Tencent answers every outcome with HTTP 200, so only the body tells;
/// `Err` describes a body that is not one of its answers.
pub(super) fn parse(body: &[u8]) -> Result<SendSmsOutcome, String> {
    let Envelope { response } = serde_json::from_slice(body).map_err(|e| format!("unreadable answer: {e}"))?;
    let request_id = response.request_id;
    if let Some(CodeAndMessage { code, message }) = response.error {
        return Ok(SendSmsOutcome::Failed { code, message, request_id });
    }
    // One number per request, so one status.
    match response.send_status_set.into_iter().next() {
        Some(status) if status.code == "Ok" => Ok(SendSmsOutcome::Sent { request_id }),
        Some(CodeAndMessage { code, message }) => Ok(SendSmsOutcome::Failed { code, message, request_id }),
        None => Err(format!("answer without error or send status (RequestId {request_id})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sent_message() {
        let body = br#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613800138000","Fee":1,"SessionContext":"","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}"#;
        assert_eq!(parse(body), Ok(SendSmsOutcome::Sent { request_id: "a0aabda6-cf91-4f3e-a81f-9198114a2279".into() }));
    }

    #[test]
    fn reads_a_refused_number_and_a_request_error() {
        let number = br#"{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613800138000","Fee":0,"SessionContext":"","Code":"LimitExceeded.PhoneNumberDailyLimit","Message":"the number of SMS messages sent from a single mobile number every day exceeds the upper limit","IsoCode":"CN"}],"RequestId":"r1"}}"#;
        assert!(matches!(parse(number), Ok(SendSmsOutcome::Failed { code, request_id, .. })
            if code == "LimitExceeded.PhoneNumberDailyLimit" && request_id == "r1"));
        let request = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"r2"}}"#;
        assert!(
            matches!(parse(request), Ok(SendSmsOutcome::Failed { code, .. }) if code == "AuthFailure.SignatureFailure")
        );
    }

    #[test]
    fn anything_else_is_unreadable() {
        assert!(parse(b"<html>502 Bad Gateway</html>").is_err());
        assert!(parse(br#"{"Response":{"RequestId":"r3"}}"#).is_err());
        assert!(parse(br#"{"Error":"x"}"#).is_err());
    }
}
