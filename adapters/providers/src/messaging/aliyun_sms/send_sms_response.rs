use serde::Deserialize;

/// What an answer of dysmsapi says: `Code` is `OK` when the message was taken.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SendSmsAnswer {
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// The receipt id of a sent message.
    #[serde(default)]
    pub biz_id: String,
    #[serde(default)]
    pub request_id: String,
}

impl SendSmsAnswer {
    pub fn is_ok(&self) -> bool {
        self.code == "OK"
    }
}

/// Reads an answer, a successful one or an error (`isv.*` with 200, gateway codes with 4xx/5xx,
/// all in the same shape); `Err` describes a body that is not one of Alibaba's answers.
pub(super) fn parse(body: &[u8]) -> Result<SendSmsAnswer, String> {
    serde_json::from_slice(body).map_err(|e| format!("unreadable answer: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sent_message_and_a_refusal() {
        let sent = parse(br#"{"Code":"OK","Message":"OK","BizId":"9006197469364984400","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990"}"#).unwrap();
        assert!(sent.is_ok());
        assert_eq!(sent.biz_id, "9006197469364984400");
        let refused =
            parse(r#"{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"非法手机号","RequestId":"r1"}"#.as_bytes())
                .unwrap();
        assert!(!refused.is_ok());
        assert_eq!((refused.code.as_str(), refused.request_id.as_str()), ("isv.MOBILE_NUMBER_ILLEGAL", "r1"));
    }

    #[test]
    fn anything_else_is_unreadable() {
        assert!(parse(b"<html>502 Bad Gateway</html>").is_err());
        assert!(parse(br#"{"RequestId":"r3"}"#).is_err());
    }
}
