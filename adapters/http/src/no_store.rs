use salvo::handler;
use salvo::http::header::{CACHE_CONTROL, HeaderValue};
use salvo::prelude::Response;

/// `Cache-Control: no-store` on the answers of the routes it guards: those that carry
/// tokens, start tickets or flow cookies. Neither the browser's cache nor a shared one
/// in front may keep them, to hand them out again or to another client.
#[handler]
pub async fn no_store(res: &mut Response) {
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
