use salvo::http::header::ACCEPT_LANGUAGE;
use salvo::prelude::Request;

/// The language of human-readable messages: Chinese unless the client prefers English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    pub fn of(req: &Request) -> Self {
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map_or(Self::Chinese, Self::from_accept_language)
    }

    /// The supported language with the highest `q` in an `Accept-Language` value.
    fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality =
                parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let language = if tag == "en" || tag.starts_with("en-") {
                Self::English
            } else if tag == "zh" || tag.starts_with("zh-") {
                Self::Chinese
            } else {
                continue;
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, language));
            }
        }
        best.map_or(Self::Chinese, |(_, language)| language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_preferred_supported_language() {
        assert_eq!(Language::from_accept_language("en"), Language::English);
        assert_eq!(Language::from_accept_language("en-US,en;q=0.9"), Language::English);
        assert_eq!(Language::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Language::Chinese);
        assert_eq!(Language::from_accept_language("fr, en;q=0.5"), Language::English);
        assert_eq!(Language::from_accept_language("zh;q=0.4, en;q=0.6"), Language::English);
        assert_eq!(Language::from_accept_language("fr"), Language::Chinese);
        assert_eq!(Language::from_accept_language(""), Language::Chinese);
    }
}
