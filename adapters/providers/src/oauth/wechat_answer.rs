//! Reading WeChat's answers.
//!
//! WeChat answers its refusals with HTTP 200 and a JSON body `{"errcode":40029,"errmsg":"..."}`,
//! so only the body tells success from failure; a success has no `errcode` or `errcode` 0.
//! `jscode2session` labels its JSON `text/plain`, so the label is never looked at.

use std::fmt;

use application::ports::{MiniProgramSession, ProviderError};
use serde_json::{Map, Value};

/// The fields of an answer that is no refusal.
pub(super) type Fields = Map<String, Value>;

/// A website user's access token from `sns/oauth2/access_token`; only good for reading the profile.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct WebToken {
    pub access_token: String,
    /// Seconds; only passed on (clamped) to `oauth2`.
    pub expires_in: Option<u64>,
    pub openid: String,
    pub unionid: Option<String>,
}

impl fmt::Debug for WebToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebToken")
            .field("access_token", &"***")
            .field("expires_in", &self.expires_in)
            .field("openid", &self.openid)
            .field("unionid", &self.unionid)
            .finish()
    }
}

/// What `sns/userinfo` says; nickname and avatar are absent when WeChat leaves them empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Profile {
    pub openid: String,
    pub unionid: Option<String>,
    pub nickname: Option<String>,
    pub avatar: Option<String>,
}

/// The app access token from `cgi-bin/token`.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct AppToken {
    pub token: String,
    /// Seconds; WeChat grants 7200.
    pub expires_in: u64,
}

impl fmt::Debug for AppToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppToken").field("token", &"***").field("expires_in", &self.expires_in).finish()
    }
}

/// What WeChat grants when `cgi-bin/token` leaves out `expires_in`.
const APP_TOKEN_LIFETIME: u64 = 7200;

/// The answer's fields, or WeChat's refusal (any errcode but 0, `-1` busy included: retrying
/// is the caller's business).
pub(super) fn fields(body: &str) -> Result<Fields, ProviderError> {
    let fields = match serde_json::from_str(body.trim()) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return Err(unreadable("JSON that is not an object")),
        // serde_json's message gives a line and column, never the body's text.
        Err(e) => return Err(unreadable(&format!("something that is not JSON ({e})"))),
    };
    let Some(raw) = fields.get("errcode") else { return Ok(fields) };
    let code = match raw {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match code {
        Some(0) => Ok(fields),
        Some(code) => {
            let message = fields.get("errmsg").and_then(Value::as_str).unwrap_or_default().to_owned();
            Err(ProviderError::Refused { code, message })
        }
        None => Err(unreadable(&format!("an errcode {raw} that is not a number"))),
    }
}

/// `sns/jscode2session`. Without an openid or a session_key it says nothing usable.
pub(super) fn session(fields: &Fields) -> Result<MiniProgramSession, ProviderError> {
    Ok(MiniProgramSession {
        openid: required(fields, "openid", "jscode2session")?,
        unionid: non_empty(fields, "unionid"),
        session_key: required(fields, "session_key", "jscode2session")?,
    })
}

/// `sns/oauth2/access_token`.
pub(super) fn web_token(fields: &Fields) -> Result<WebToken, ProviderError> {
    Ok(WebToken {
        access_token: required(fields, "access_token", "oauth2/access_token")?,
        expires_in: seconds(fields, "expires_in"),
        openid: required(fields, "openid", "oauth2/access_token")?,
        unionid: non_empty(fields, "unionid"),
    })
}

/// `sns/userinfo`.
pub(super) fn profile(fields: &Fields) -> Result<Profile, ProviderError> {
    Ok(Profile {
        openid: required(fields, "openid", "userinfo")?,
        unionid: non_empty(fields, "unionid"),
        nickname: non_empty(fields, "nickname"),
        avatar: non_empty(fields, "headimgurl"),
    })
}

/// `cgi-bin/token`.
pub(super) fn app_token(fields: &Fields) -> Result<AppToken, ProviderError> {
    let token = required(fields, "access_token", "cgi-bin/token")?;
    // A negative lifetime is read as 0 (the token serves the call at hand only), a
    // fractional or unreadable one as the usual lifetime; the caller caps large ones.
    let expires_in = match fields.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_i64().map(|_| 0)),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok().map(|seconds| u64::try_from(seconds).unwrap_or(0)),
        _ => None,
    };
    Ok(AppToken { token, expires_in: expires_in.unwrap_or(APP_TOKEN_LIFETIME) })
}

/// `wxa/business/getuserphonenumber`: the number without its country code, as the mainland
/// numbers of this shop are kept.
pub(super) fn phone_number(fields: &Fields) -> Result<String, ProviderError> {
    fields
        .get("phone_info")
        .and_then(Value::as_object)
        .and_then(|info| non_empty(info, "purePhoneNumber"))
        .ok_or_else(|| unreadable("a getuserphonenumber answer without phone_info.purePhoneNumber"))
}

/// A number of seconds, written as a number or a string.
fn seconds(fields: &Fields, name: &str) -> Option<u64> {
    match fields.get(name) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

fn required(fields: &Fields, name: &str, answer: &str) -> Result<String, ProviderError> {
    non_empty(fields, name).ok_or_else(|| unreadable(&format!("a {answer} answer without errcode or {name}")))
}

fn non_empty(fields: &Fields, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}

/// The body itself never goes into the message: a half-readable one may hold a token or a session_key.
fn unreadable(what: &str) -> ProviderError {
    ProviderError::Unavailable(format!("wechat answered {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: i64, message: &str) -> ProviderError {
        ProviderError::Refused { code, message: message.to_owned() }
    }

    fn read<T>(body: &str, read: fn(&Fields) -> Result<T, ProviderError>) -> Result<T, ProviderError> {
        fields(body).and_then(|fields| read(&fields))
    }

    #[test]
    fn reads_a_session_with_and_without_unionid() {
        let with = r#"{"session_key":"tiihtNczf5v6AKRyjwEUhQ==","openid":"oVBkZ0aYgDMDIywRdgPW8-joxXc4","unionid":"oTmHYjg-tElZ68xxxxxxxxhy1Rgk"}"#;
        assert_eq!(
            read(with, session),
            Ok(MiniProgramSession {
                openid: "oVBkZ0aYgDMDIywRdgPW8-joxXc4".to_owned(),
                unionid: Some("oTmHYjg-tElZ68xxxxxxxxhy1Rgk".to_owned()),
                session_key: "tiihtNczf5v6AKRyjwEUhQ==".to_owned(),
            })
        );
        let without = r#"{"session_key":"tiihtNczf5v6AKRyjwEUhQ==","openid":"oVBk"}"#;
        assert_eq!(read(without, session).map(|s| s.unionid), Ok(None));
        let errcode_zero = r#"{"errcode":0,"errmsg":"ok","session_key":"k","openid":"oVBk","unionid":""}"#;
        assert_eq!(read(errcode_zero, session).map(|s| s.unionid), Ok(None));
    }

    #[test]
    fn reads_refusals_with_the_code_as_number_or_string() {
        assert_eq!(
            read(r#"{"errcode":40029,"errmsg":"invalid code, rid: 6f1e"}"#, session),
            Err(refused(40029, "invalid code, rid: 6f1e"))
        );
        assert_eq!(read(r#"{"errcode":-1,"errmsg":"system error"}"#, session), Err(refused(-1, "system error")));
        assert_eq!(read(r#"{"errcode":"45011"}"#, session), Err(refused(45011, "")));
    }

    #[test]
    fn a_session_without_openid_or_session_key_is_unavailable() {
        for body in [r#"{"openid":"oVBk"}"#, r#"{"session_key":"k"}"#, r#"{"openid":"","session_key":"k"}"#] {
            assert!(matches!(read(body, session), Err(ProviderError::Unavailable(_))), "{body}");
        }
    }

    #[test]
    fn reads_the_web_token_and_profile() {
        let token = read(
            r#"{"access_token":"ACCESS","expires_in":7200,"refresh_token":"R","openid":"oWeb","scope":"snsapi_login","unionid":"U"}"#,
            web_token,
        );
        assert_eq!(
            token,
            Ok(WebToken {
                access_token: "ACCESS".into(),
                expires_in: Some(7200),
                openid: "oWeb".into(),
                unionid: Some("U".into())
            })
        );
        let profile = read(r#"{"openid":"oWeb","nickname":"小美","sex":0,"headimgurl":"","unionid":"U"}"#, profile);
        assert_eq!(
            profile,
            Ok(Profile {
                openid: "oWeb".into(),
                unionid: Some("U".into()),
                nickname: Some("小美".into()),
                avatar: None
            })
        );
    }

    #[test]
    fn reads_the_app_token_and_the_phone_number() {
        assert_eq!(
            read(r#"{"access_token":"APP","expires_in":7200}"#, app_token),
            Ok(AppToken { token: "APP".into(), expires_in: 7200 })
        );
        assert_eq!(read(r#"{"access_token":"APP"}"#, app_token).map(|t| t.expires_in), Ok(7200));
        assert_eq!(read(r#"{"access_token":"APP","expires_in":-5}"#, app_token).map(|t| t.expires_in), Ok(0));
        assert_eq!(read(r#"{"access_token":"APP","expires_in":"-5"}"#, app_token).map(|t| t.expires_in), Ok(0));
        let phone = r#"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13800138000","purePhoneNumber":"13800138000","countryCode":"86","watermark":{"timestamp":1637744274,"appid":"wx"}}}"#;
        assert_eq!(read(phone, phone_number), Ok("13800138000".to_owned()));
        assert!(matches!(read(r#"{"errcode":0,"errmsg":"ok"}"#, phone_number), Err(ProviderError::Unavailable(_))));
    }

    #[test]
    fn anything_else_is_unavailable_without_quoting_the_body_and_debug_hides_tokens() {
        for body in
            ["", "<html>502 SECRET_TOKEN</html>", "[1]", r#"{"session_key":"SECRET_TOKEN""#, r#"{"errcode":null}"#]
        {
            match fields(body) {
                Err(ProviderError::Unavailable(text)) => assert!(!text.contains("SECRET_TOKEN"), "{text}"),
                other => panic!("{body:?}: expected Unavailable, got {other:?}"),
            }
        }
        let token =
            WebToken { access_token: "SECRET_TOKEN".into(), expires_in: None, openid: "o".into(), unionid: None };
        let app = AppToken { token: "SECRET_TOKEN".into(), expires_in: 1 };
        assert!(!format!("{token:?}{app:?}").contains("SECRET_TOKEN"));
    }
}
