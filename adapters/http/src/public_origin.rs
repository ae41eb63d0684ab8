//! The scheme and host a browser used to reach this service, for the absolute URLs
//! answered to it (`login_url`).

use salvo::http::header::{HOST, HeaderValue};
use salvo::prelude::Request;

use super::client_ip::ClientIpResolver;

/// `http(s)://host` as the browser reached this service. `X-Forwarded-Host` and
/// `X-Forwarded-Proto` count only from a trusted proxy (`TRUSTED_PROXIES`): from anyone
/// else they would let a client choose the host in an answer that a shared cache in
/// front, keyed by the request's own `Host`, might keep and give to others. Without a
/// trusted proxy the request's own `Host` names the host, and the scheme is `http`.
pub fn public_origin(req: &Request, proxies: &ClientIpResolver) -> String {
    let forwarded = |name| proxies.peer_is_trusted_proxy(req).then(|| first_value(req, name)).flatten();
    let https = forwarded("x-forwarded-proto").is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let host = forwarded("x-forwarded-host")
        .or_else(|| first_value(req, HOST.as_str()))
        .or_else(|| req.uri().authority().map(ToString::to_string))
        .or_else(|| req.local_addr().clone().into_std().map(|address| address.to_string()))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The first of a header's comma-separated values (the hop nearest the client), if any.
fn first_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|value: &HeaderValue| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}
