use std::fmt;

/// Where to send a person after a login: a path on this site, never another
/// site. Anything that is not plainly local becomes `/`, so a crafted `next`
/// cannot turn the login into an open redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// Longer input is not a path anybody links to.
    pub const MAX_LEN: usize = 2048;

    /// The path, or `/` when `raw` is missing, too long, or could leave the site:
    /// not starting with one `/` (`//host`, `/\host` and `https://…` all can),
    /// or holding backslashes or control characters, which browsers read loosely.
    pub fn parse_or_root(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            Some(path) if Self::is_local(path) => Self(path.to_owned()),
            _ => Self::root(),
        }
    }

    pub fn root() -> Self {
        Self("/".to_owned())
    }

    fn is_local(path: &str) -> bool {
        path.len() <= Self::MAX_LEN
            && path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && !path.chars().any(char::is_control)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a provider can carry back in `state` for this path: the path without its
    /// fragment, since a `#` cannot come back through a query and the classic page's
    /// `decodeURI` (a page that opens at the top beats one that is not found).
    pub fn provider_state(&self) -> &str {
        self.0.split_once('#').map_or(self.0.as_str(), |(before, _)| before)
    }

    /// Whether a `state` a client sent back names this path: the same text once
    /// percent-decoded, because the classic callback page decodes the provider's encoding
    /// with `decodeURI` and then sends the result raw in its own query.
    pub fn is_named_by(&self, sent: &str) -> bool {
        let sent = percent_decoded(sent.trim());
        sent == percent_decoded(&self.0) || sent == percent_decoded(self.provider_state())
    }
}

/// Every `%XX` decoded, anything else kept; invalid UTF-8 is replaced, which only makes
/// two different texts compare unequal, never two equal ones differ.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[i], hex.and_then(|pair| u8::from_str_radix(pair, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

impl fmt::Display for LocalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept() {
        for path in ["/", "/user_center_info.html", "/goods/1.html?sku=2#top", " /cart.html "] {
            assert_eq!(LocalPath::parse_or_root(Some(path)).as_str(), path.trim(), "{path}");
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_falls_back_to_the_root() {
        let long = format!("/{}", "a".repeat(LocalPath::MAX_LEN));
        for path in [
            "",
            "//evil.example.com",
            "/\\evil.example.com",
            "https://evil.example.com/",
            "javascript:alert(1)",
            "evil.example.com",
            "/ok\r\nLocation: https://evil.example.com",
            "/path\\..\\x",
            &long,
        ] {
            assert_eq!(LocalPath::parse_or_root(Some(path)), LocalPath::root(), "{path:?}");
        }
        assert_eq!(LocalPath::parse_or_root(None), LocalPath::root());
    }

    #[test]
    fn the_provider_state_drops_only_the_fragment() {
        assert_eq!(LocalPath::parse_or_root(Some("/goods/1.html?sku=2#top")).provider_state(), "/goods/1.html?sku=2");
        assert_eq!(LocalPath::parse_or_root(Some("/cart.html")).provider_state(), "/cart.html");
    }

    #[test]
    fn a_state_names_the_path_as_sent_or_percent_decoded_and_nothing_else() {
        let next = LocalPath::parse_or_root(Some("/search.html?q=%E6%89%8B%E6%9C%BA&page=2#list"));
        for sent in [
            "/search.html?q=%E6%89%8B%E6%9C%BA&page=2#list",
            "/search.html?q=手机&page=2#list",
            "/search.html?q=%E6%89%8B%E6%9C%BA%26page=2",
            " /search.html?q=手机&page=2 ",
        ] {
            assert!(next.is_named_by(sent), "{sent}");
        }
        for sent in ["/search.html", "/search.html?q=手机", "/", "", "%zz", "/search.html?q=%E6%89%8B%E6%9C%BA&page=3"]
        {
            assert!(!next.is_named_by(sent), "{sent}");
        }
    }
}
