use std::future::Future;
use std::pin::Pin;

use application::ports::ProviderError;
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};
use reqwest::{Client, Url};

use super::qq_answer;
use super::token_exchange::{ProviderTokenFields, granted, param, refused, token_request_params};
use crate::provider_http::{transport_failure_reason, with_query};

/// QQ Connect's token endpoint as `oauth2` calls it: the standard form becomes QQ's GET
/// with `fmt=json`, and QQ's answer, urlencoded, JSON or JSONP and always HTTP 200, becomes
/// a standard grant or a standard error carrying QQ's code.
#[derive(Debug, Clone)]
pub(super) struct QqTokenDialect {
    pub client: Client,
    pub token: Url,
}

impl<'c> AsyncHttpClient<'c> for QqTokenDialect {
    type Error = ProviderError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let params = token_request_params(&request);
            let query = ["grant_type", "client_id", "client_secret", "code", "redirect_uri"]
                .map(|name| (name, param(&params, name)));
            let url = with_query(&self.token, &[&query[..], &[("fmt", "json")]].concat());
            let body = get(&self.client, "token", url).await?;
            match qq_answer::token(&body) {
                Ok(token) => Ok(granted(&token.token, token.expires_in, &ProviderTokenFields::default())),
                Err(ProviderError::Refused { code, message }) => Ok(refused(code, &message)),
                Err(other) => Err(other),
            }
        })
    }
}

/// One GET to QQ; anything but a readable HTTP 200 is an outage, since QQ answers even its
/// refusals with 200.
pub(super) async fn get(client: &Client, step: &str, url: Url) -> Result<String, ProviderError> {
    let failed = |error| ProviderError::Unavailable(format!("qq connect: {step}: {}", transport_failure_reason(error)));
    let response = client.get(url).send().await.map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        return Err(ProviderError::Unavailable(format!("qq connect: {step} answered HTTP {status}")));
    }
    response.text().await.map_err(failed)
}
