use std::future::Future;
use std::pin::Pin;

use application::ports::ProviderError;
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};
use reqwest::Url;

use super::token_exchange::{ProviderTokenFields, granted, param, refused, token_request_params};
use super::wechat_answer;
use super::wechat_client::{Step, WeChatApiClient};
use crate::provider_http::with_query;

/// The WeChat client is the HTTP client `oauth2` calls for `sns/oauth2/access_token`, in
/// WeChat's dialect: the standard form becomes WeChat's GET with `appid` and `secret` (and
/// no `redirect_uri`), made again while WeChat is busy; its answer, errors with HTTP 200
/// and an `errcode`, becomes a standard grant carrying `openid` and `unionid`, or a
/// standard error carrying the errcode.
impl<'c> AsyncHttpClient<'c> for WeChatApiClient {
    type Error = ProviderError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let params = token_request_params(&request);
            let query = [
                ("appid", param(&params, "client_id")),
                ("secret", param(&params, "client_secret")),
                ("code", param(&params, "code")),
                ("grant_type", param(&params, "grant_type")),
            ];
            let url = with_query(self.web_token_endpoint(), &query);
            let answer = self.call(Step::WebToken, || self.http().get(url.clone())).await;
            match answer.and_then(|fields| wechat_answer::web_token(&fields)) {
                Ok(token) => {
                    let fields = ProviderTokenFields { openid: Some(token.openid), unionid: token.unionid };
                    Ok(granted(&token.access_token, token.expires_in, &fields))
                }
                Err(ProviderError::Refused { code, message }) => Ok(refused(code, &message)),
                Err(other) => Err(other),
            }
        })
    }
}

/// The authorize URL `oauth2` built, in the names and order WeChat's QR page insists on
/// (`appid`, not `client_id`), with the `#wechat_redirect` fragment it insists on too.
pub(super) fn qrconnect_url(standard: &Url) -> String {
    let pairs: Vec<(String, String)> = standard.query_pairs().into_owned().collect();
    let value = |name: &str| pairs.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str());
    let mut url = standard.clone();
    url.set_query(None);
    url.query_pairs_mut().extend_pairs([
        ("appid", value("client_id")),
        ("redirect_uri", value("redirect_uri")),
        ("response_type", value("response_type")),
        ("scope", value("scope")),
        ("state", value("state")),
    ]);
    url.set_fragment(Some("wechat_redirect"));
    url.into()
}
