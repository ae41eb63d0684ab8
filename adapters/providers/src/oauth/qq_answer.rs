//! Reading QQ Connect's answers, in every shape QQ really gives them.
//!
//! QQ answers errors with HTTP 200, so only the body tells success from failure, and the
//! body comes as urlencoded pairs (the token's default), JSON (with `fmt=json`, which QQ
//! does not always honour), or JSONP `callback( {...} );` (errors, and `me` by default).
//! Error codes come as `{"error":100019,"error_description":...}` or `{"ret":..,"msg":..}`,
//! the number sometimes written as a string.

use application::ports::ProviderError;
use serde_json::{Map, Value};

/// A granted access token. The refresh token is not kept: a login needs the token once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AccessToken {
    pub token: String,
    /// Seconds; QQ writes it as a number or a string, and its absence changes nothing here.
    pub expires_in: Option<u64>,
}

/// Who an access token belongs to, from `/oauth2.0/me`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Me {
    /// The app the token was issued to.
    pub client_id: Option<String>,
    pub openid: String,
    /// Only with the unionid permission and `unionid=1`.
    pub unionid: Option<String>,
}

/// Reads the answer of `/oauth2.0/token`.
pub(super) fn token(body: &str) -> Result<AccessToken, ProviderError> {
    let fields = fields(body)?;
    refusal(&fields)?;
    let token =
        non_empty(&fields, "access_token").ok_or_else(|| unreadable("a token answer without error or access_token"))?;
    let expires_in = match fields.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Ok(AccessToken { token, expires_in })
}

/// Reads the answer of `/oauth2.0/me`. There is no default openid: an answer without one
/// cannot say who logged in.
pub(super) fn me(body: &str) -> Result<Me, ProviderError> {
    let fields = fields(body)?;
    refusal(&fields)?;
    let openid = non_empty(&fields, "openid").ok_or_else(|| unreadable("a me answer without error or openid"))?;
    Ok(Me { client_id: non_empty(&fields, "client_id"), openid, unionid: non_empty(&fields, "unionid") })
}

/// The answer's fields, whatever its shape. A `{` starts JSON, bare or wrapped in a JSONP
/// call whose name and padding may vary, so the object is read from the first `{` to the
/// last `}`; a body without one is urlencoded (where braces would be percent-encoded).
fn fields(body: &str) -> Result<Map<String, Value>, ProviderError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(unreadable("an empty answer"));
    }
    if let Some(start) = body.find('{') {
        let end =
            body.rfind('}').filter(|end| *end > start).ok_or_else(|| unreadable("an unterminated JSON object"))?;
        return match serde_json::from_str(&body[start..=end]) {
            Ok(Value::Object(fields)) => Ok(fields),
            Ok(_) => Err(unreadable("JSON that is not an object")),
            Err(e) => Err(unreadable(&format!("malformed JSON ({e})"))),
        };
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|e| unreadable(&format!("malformed urlencoded pairs ({e})")))?;
    Ok(pairs.into_iter().map(|(name, value)| (name, Value::String(value))).collect())
}

/// QQ's error, in either of its shapes; code 0 means none.
fn refusal(fields: &Map<String, Value>) -> Result<(), ProviderError> {
    for (code_field, message_field) in [("error", "error_description"), ("ret", "msg")] {
        let Some(raw) = fields.get(code_field) else { continue };
        let code = match raw {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        let message = fields.get(message_field).and_then(Value::as_str).unwrap_or_default().to_owned();
        match code {
            Some(0) => {}
            Some(code) => return Err(ProviderError::Refused { code, message }),
            // Not one of QQ's numbers, so not a refusal this adapter can name.
            None => return Err(unreadable(&format!("{code_field} {raw} that is not a number ({message})"))),
        }
    }
    Ok(())
}

fn non_empty(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}

/// The body itself never goes into the message: a half-readable one may hold a token.
fn unreadable(what: &str) -> ProviderError {
    ProviderError::Unavailable(format!("qq connect answered {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: i64, message: &str) -> ProviderError {
        ProviderError::Refused { code, message: message.to_owned() }
    }

    fn granted(expires_in: Option<u64>) -> AccessToken {
        AccessToken { token: "FE04************************CCE2".to_owned(), expires_in }
    }

    #[test]
    fn reads_the_default_urlencoded_token() {
        let body = "access_token=FE04************************CCE2&expires_in=7776000&refresh_token=88E4************************BE14";
        assert_eq!(token(body), Ok(granted(Some(7_776_000))));
        assert_eq!(token(&format!("{body}\n")), Ok(granted(Some(7_776_000))));
    }

    #[test]
    fn reads_a_json_token_with_expires_in_as_number_or_string() {
        let number =
            r#"{"access_token":"FE04************************CCE2","expires_in":7776000,"refresh_token":"88E4"}"#;
        assert_eq!(token(number), Ok(granted(Some(7_776_000))));
        let string =
            r#"{"access_token":"FE04************************CCE2","expires_in":"7776000","refresh_token":"88E4"}"#;
        assert_eq!(token(string), Ok(granted(Some(7_776_000))));
        let odd = r#"{"access_token":"FE04************************CCE2","expires_in":"soon"}"#;
        assert_eq!(token(odd), Ok(granted(None)));
    }

    #[test]
    fn reads_a_jsonp_token() {
        let body = r#"callback( {"access_token":"FE04************************CCE2","expires_in":"7776000"} );"#;
        assert_eq!(token(body), Ok(granted(Some(7_776_000))));
    }

    #[test]
    fn reads_errors_in_jsonp_json_and_urlencoded_with_the_code_as_number_or_string() {
        let expected = refused(100019, "code to access token error");
        for body in [
            r#"callback( {"error":100019,"error_description":"code to access token error"} );"#,
            "callback({\"error\":100019,\"error_description\":\"code to access token error\"});\n",
            r#"{"error":100019,"error_description":"code to access token error"}"#,
            r#"{"error":"100019","error_description":"code to access token error"}"#,
            "error=100019&error_description=code+to+access+token+error",
        ] {
            assert_eq!(token(body), Err(expected.clone()), "{body}");
        }
        assert_eq!(
            me(r#"callback( {"error":100016,"error_description":"access token check failed"} );"#),
            Err(refused(100016, "access token check failed"))
        );
    }

    #[test]
    fn reads_the_ret_and_msg_shape() {
        assert_eq!(
            token(r#"{"ret":-1,"msg":"client request's parameters are invalid"}"#),
            Err(refused(-1, "client request's parameters are invalid"))
        );
        assert_eq!(me(r#"{"ret":"100030","msg":"no permission"}"#), Err(refused(100_030, "no permission")));
        // ret 0 is QQ's "OK" and no error.
        let ok = me(r#"{"ret":0,"msg":"","client_id":"101474184","openid":"4A2C"}"#);
        assert_eq!(ok.map(|me| me.openid), Ok("4A2C".to_owned()));
    }

    #[test]
    fn reads_me_in_jsonp_and_json() {
        let expected = Me {
            client_id: Some("101474184".to_owned()),
            openid: "4A2C6B1D9E8F7A6B5C4D3E2F1A0B9C8D".to_owned(),
            unionid: Some("UID_3F2E1D0C".to_owned()),
        };
        let json = r#"{"client_id":"101474184","openid":"4A2C6B1D9E8F7A6B5C4D3E2F1A0B9C8D","unionid":"UID_3F2E1D0C"}"#;
        assert_eq!(me(&format!("callback( {json} );\n")), Ok(expected.clone()));
        assert_eq!(me(json), Ok(expected.clone()));
        // A different padding or callback name moves the object; it is found all the same.
        assert_eq!(me(&format!("  jsonp_cb_17({json})")), Ok(expected));
    }

    #[test]
    fn me_without_unionid_has_none() {
        let answer = me(r#"callback( {"client_id":"101474184","openid":"4A2C"} );"#);
        assert_eq!(
            answer,
            Ok(Me { client_id: Some("101474184".to_owned()), openid: "4A2C".to_owned(), unionid: None })
        );
        let empty = me(r#"{"client_id":"101474184","openid":"4A2C","unionid":""}"#);
        assert_eq!(empty.map(|me| me.unionid), Ok(None));
    }

    #[test]
    fn me_without_an_openid_is_unavailable_never_a_default() {
        for body in [
            r#"callback( {"client_id":"101474184"} );"#,
            r#"callback( {"client_id":"101474184","openid":""} );"#,
            r#"{"client_id":"101474184","openid":null}"#,
            r#"{"client_id":"101474184","openid":12345}"#,
        ] {
            assert!(matches!(me(body), Err(ProviderError::Unavailable(text)) if text.contains("openid")), "{body}");
        }
    }

    #[test]
    fn anything_else_is_unavailable_without_quoting_the_body() {
        for body in [
            "",
            "   \n",
            "<html><body>502 Bad Gateway</body></html>",
            "callback( {\"access_token\":\"SECRET_TOKEN\" ",
            "callback( } {",
            "[1,2]",
            "callback( [\"x\"] );",
            r#"{"error":"invalid_request","error_description":"?"}"#,
            r#"{"expires_in":7776000}"#,
        ] {
            match token(body) {
                Err(ProviderError::Unavailable(text)) => assert!(!text.contains("SECRET_TOKEN"), "{text}"),
                other => panic!("{body:?}: expected Unavailable, got {other:?}"),
            }
        }
    }
}
