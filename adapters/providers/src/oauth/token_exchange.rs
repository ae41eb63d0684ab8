//! The `oauth2` crate's side of both website logins: its client builds the authorize URL
//! and performs the code exchange; each provider's dialect (`QqTokenDialect`,
//! `WeChatTokenDialect`) is the HTTP client it calls, translating the standard token
//! request into the provider's and the provider's answer back into standard JSON.

use std::time::Duration;

use application::ports::ProviderError;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::http::{HeaderValue, StatusCode, header};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields, HttpRequest,
    HttpResponse, RedirectUrl, RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The fields beyond RFC 6749 that the providers' token answers carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ProviderTokenFields {
    /// WeChat names the person in the token answer itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
}

impl ExtraTokenFields for ProviderTokenFields {}

pub(super) type ProviderTokenResponse = StandardTokenResponse<ProviderTokenFields, BasicTokenType>;

/// An authorization-code client with its authorize and token endpoints set.
pub(super) type ProviderOAuthClient = oauth2::Client<
    BasicErrorResponse,
    ProviderTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A provider's lifetime is believed up to this long; anything longer (or absurd) is cut
/// before it reaches a `Duration` or an `Instant`.
pub(super) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// Both providers take the app id and secret as parameters, not as HTTP Basic. The secret
/// passes into `oauth2`'s own `ClientSecret`, which no `Debug` shows either.
pub(super) fn oauth_client(
    client_id: &str,
    client_secret: &SecretString,
    authorize: &Url,
    token: &Url,
    redirect_uri: &str,
) -> Result<ProviderOAuthClient, String> {
    let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| format!("redirect_uri: {e}"))?;
    Ok(oauth2::Client::new(ClientId::new(client_id.to_owned()))
        .set_client_secret(ClientSecret::new(client_secret.expose_secret().to_owned()))
        .set_auth_uri(AuthUrl::from_url(authorize.clone()))
        .set_token_uri(TokenUrl::from_url(token.clone()))
        .set_redirect_uri(redirect)
        .set_auth_type(AuthType::RequestBody))
}

/// The form parameters of the token request `oauth2` built.
pub(super) fn token_request_params(request: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(request.body()).unwrap_or_default()
}

/// The value of one of those parameters.
pub(super) fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
}

/// A granted token as RFC 6749 writes it, for `oauth2` to read. The lifetime is clamped here.
pub(super) fn granted(access_token: &str, expires_in: Option<u64>, fields: &ProviderTokenFields) -> HttpResponse {
    let mut body = json!({ "access_token": access_token, "token_type": "bearer" });
    if let Some(seconds) = expires_in {
        body["expires_in"] = json!(seconds.min(MAX_TOKEN_LIFETIME.as_secs()));
    }
    if let Value::Object(extra) = serde_json::to_value(fields).unwrap_or(Value::Null) {
        body.as_object_mut().into_iter().for_each(|object| object.extend(extra.clone()));
    }
    json_response(StatusCode::OK, &body)
}

/// A provider's refusal as an RFC 6749 error answer; the code travels as the `error` text.
pub(super) fn refused(code: i64, message: &str) -> HttpResponse {
    json_response(StatusCode::BAD_REQUEST, &json!({ "error": code.to_string(), "error_description": message }))
}

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    let mut response = HttpResponse::new(body.to_string().into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Back from `oauth2`'s error to the provider's: a refusal keeps the provider's code, for
/// the adapter to read; anything else is an outage.
pub(super) fn exchange_failure(error: RequestTokenError<ProviderError, BasicErrorResponse>) -> ProviderError {
    match error {
        RequestTokenError::Request(error) => error,
        RequestTokenError::ServerResponse(answer) => match answer.error() {
            BasicErrorResponseType::Extension(code) => match code.parse() {
                Ok(code) => {
                    ProviderError::Refused { code, message: answer.error_description().cloned().unwrap_or_default() }
                }
                Err(_) => ProviderError::Unavailable(format!("token: an error that is not a number ({code})")),
            },
            other => ProviderError::Unavailable(format!("token: a standard OAuth error ({other})")),
        },
        // The dialect wrote the JSON itself; failing to read it back is a bug, reported without the body.
        RequestTokenError::Parse(error, _) => {
            ProviderError::Unavailable(format!("token: unreadable ({})", error.path()))
        }
        RequestTokenError::Other(reason) => ProviderError::Unavailable(format!("token: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_standard_json_with_its_extra_fields_and_a_clamped_lifetime() {
        let fields = ProviderTokenFields { openid: Some("oWeb".into()), unionid: None };
        let response = granted("ACCESS", Some(u64::MAX), &fields);
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            body,
            json!({"access_token": "ACCESS", "token_type": "bearer", "expires_in": 7_776_000, "openid": "oWeb"})
        );
        let parsed: ProviderTokenResponse = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(parsed.extra_fields(), &fields);
    }

    #[test]
    fn a_refusal_comes_back_with_the_provider_s_code() {
        let response = refused(100019, "code to access token error");
        let answer: BasicErrorResponse = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            exchange_failure(RequestTokenError::ServerResponse(answer)),
            ProviderError::Refused { code: 100019, message: "code to access token error".into() }
        );
    }
}
