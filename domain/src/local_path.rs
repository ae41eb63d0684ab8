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
}
