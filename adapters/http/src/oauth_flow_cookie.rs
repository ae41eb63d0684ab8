//! The cookie that binds a website login to the browser that started it: set by the hop
//! (`GET /oauth/{provider}/start/`), read and cleared by the callback. HttpOnly, so the
//! pages' scripts never see it; SameSite=Lax, so the browser sends it on the callback page's
//! same-site request but no other site can make it ride along; Secure over https; scoped
//! to the provider's own paths.

use std::time::Duration;

use salvo::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use salvo::prelude::{Request, Response};

/// One provider's flow cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthFlowCookie {
    /// The provider's segment of the routes (`qq`, `wechat`).
    route: &'static str,
    /// Always `Secure`: the configured callback page is https, so the browser talks to the
    /// service over https too (an https page's requests to plain http are blocked).
    always_secure: bool,
}

impl OAuthFlowCookie {
    pub fn new(route: &'static str, always_secure: bool) -> Self {
        Self { route, always_secure }
    }

    pub fn route(&self) -> &'static str {
        self.route
    }

    fn name(&self) -> String {
        format!("oauth_flow_{}", self.route)
    }

    /// The flow this browser holds, if any.
    pub fn read(&self, req: &Request) -> Option<String> {
        let name = self.name();
        req.headers()
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.trim_matches('"').to_owned())
    }

    pub fn set(&self, req: &Request, res: &mut Response, flow: &str, lifetime: Duration) {
        self.write(req, res, flow, lifetime.as_secs());
    }

    /// Spent or refused: the browser may forget it.
    pub fn clear(&self, req: &Request, res: &mut Response) {
        self.write(req, res, "", 0);
    }

    fn write(&self, req: &Request, res: &mut Response, value: &str, max_age: u64) {
        let secure = if self.always_secure || forwarded_https(req) { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Max-Age={max_age}; Path=/oauth/{}/; HttpOnly; SameSite=Lax{secure}",
            self.name(),
            self.route
        );
        // The value is a flow token (base64url and dots), so the header is always valid.
        if let Ok(header) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, header);
        }
    }
}

/// The browser reached the service over https through a proxy that says so. Believed from
/// anyone: a forged header only makes the requester's own cookie stricter.
fn forwarded_https(req: &Request) -> bool {
    req.headers()
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use salvo::test::TestClient;

    use super::*;

    fn request(headers: &[(&'static str, &'static str)]) -> Request {
        let mut builder = TestClient::get("http://127.0.0.1:8000/oauth/qq/user/");
        for (name, value) in headers.iter().copied() {
            builder = builder.add_header(name, value, false);
        }
        builder.build()
    }

    fn set_cookie(res: &Response) -> String {
        res.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    #[test]
    fn the_cookie_is_http_only_lax_scoped_to_the_provider_and_secure_over_https() {
        let cookie = OAuthFlowCookie::new("qq", false);
        let mut res = Response::new();
        cookie.set(&request(&[]), &mut res, "a.b.c", Duration::from_secs(600));
        assert_eq!(set_cookie(&res), "oauth_flow_qq=a.b.c; Max-Age=600; Path=/oauth/qq/; HttpOnly; SameSite=Lax");

        let mut res = Response::new();
        cookie.set(&request(&[("x-forwarded-proto", "https")]), &mut res, "a.b.c", Duration::from_secs(600));
        assert!(set_cookie(&res).ends_with("; Secure"), "{}", set_cookie(&res));
        let mut res = Response::new();
        OAuthFlowCookie::new("wechat", true).clear(&request(&[]), &mut res);
        assert_eq!(
            set_cookie(&res),
            "oauth_flow_wechat=; Max-Age=0; Path=/oauth/wechat/; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn only_the_provider_s_own_cookie_is_read() {
        let cookie = OAuthFlowCookie::new("qq", false);
        let req = request(&[("cookie", "oauth_flow_wechat=w; oauth_flow_qq=q.1.2; other=x")]);
        assert_eq!(cookie.read(&req), Some("q.1.2".to_owned()));
        assert_eq!(cookie.read(&request(&[("cookie", "oauth_flow_qqx=nope")])), None);
        assert_eq!(cookie.read(&request(&[])), None);
    }
}
