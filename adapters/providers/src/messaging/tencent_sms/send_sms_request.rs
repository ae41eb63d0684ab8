use serde::Serialize;

/// The JSON body of `SendSms` (version 2021-01-11) for one number.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SendSmsRequest<'a> {
    /// E.164: `+86` and the 11 digits.
    pub phone_number_set: [String; 1],
    pub sms_sdk_app_id: &'a str,
    pub sign_name: &'a str,
    pub template_id: &'a str,
    /// The template's `{1}` (the code) and `{2}` (minutes it stays valid).
    pub template_param_set: [&'a str; 2],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_tencents_field_names() {
        let body = SendSmsRequest {
            phone_number_set: ["+8613800138000".to_owned()],
            sms_sdk_app_id: "1400000000",
            sign_name: "美多商城",
            template_id: "1001",
            template_param_set: ["123456", "5"],
        };
        assert_eq!(
            serde_json::to_value(&body).ok(),
            Some(serde_json::json!({
                "PhoneNumberSet": ["+8613800138000"],
                "SmsSdkAppId": "1400000000",
                "SignName": "美多商城",
                "TemplateId": "1001",
                "TemplateParamSet": ["123456", "5"],
            }))
        );
    }
}
