//! What the adapters that call a provider over HTTPS (QQ, WeChat, Tencent SMS) share.

use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::{Client, ClientBuilder, Url};

/// The start of every provider adapter's HTTP client. Redirects are never followed: the
/// requests carry app secrets, codes and access tokens (in the query for QQ and WeChat, signed
/// headers for Tencent), which a redirect would hand to whatever host it names. A 3xx is then
/// just one more answer that is not a 200: a provider failure.
pub(crate) fn provider_client(timeout: Duration) -> ClientBuilder {
    Client::builder().redirect(Policy::none()).timeout(timeout).connect_timeout(timeout)
}

/// The endpoint with this query, every value percent-encoded.
pub(crate) fn with_query(endpoint: &Url, query: &[(&str, &str)]) -> Url {
    let mut url = endpoint.clone();
    url.query_pairs_mut().extend_pairs(query);
    url
}

/// An absolute http(s) URL with a host: what a base URL or a redirect URI must be.
pub(crate) fn is_http_url(raw: &str) -> bool {
    Url::parse(raw).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
}

/// Why a call got no answer, with reqwest's message. The URL is dropped from
/// it first: its query may hold a code, a secret or an access token.
pub(crate) fn transport_failure_reason(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else if error.is_body() || error.is_decode() {
        "unreadable body"
    } else {
        "transport error"
    };
    format!("{kind}: {}", error.without_url())
}

/// Enough of an openid to match a log line with a complaint, not enough to be the openid.
pub(crate) fn masked(openid: &str) -> String {
    let shown: String = openid.chars().take(4).collect();
    format!("{shown}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_with_a_host_pass() {
        assert!(is_http_url("https://graph.qq.com"));
        assert!(is_http_url("http://127.0.0.1:8080/cb.html?x=1"));
        for raw in ["graph.qq.com", "ftp://example.com", "https://", "javascript:alert(1)"] {
            assert!(!is_http_url(raw), "{raw}");
        }
    }

    #[test]
    fn queries_are_percent_encoded_and_openids_masked() {
        let url = with_query(&Url::parse("https://api.example.com/t").unwrap(), &[("redirect", "http://a/?b=c&d")]);
        assert_eq!(url.as_str(), "https://api.example.com/t?redirect=http%3A%2F%2Fa%2F%3Fb%3Dc%26d");
        assert_eq!(masked("oABCDEFG123"), "oABC…");
    }
}
