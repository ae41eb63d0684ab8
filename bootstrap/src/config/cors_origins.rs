use std::fmt;
use std::str::FromStr;

use salvo::http::HeaderValue;
use serde_with::{DeserializeFromStr, SerializeDisplay};

use super::split_list;

/// Comma-separated `http(s)://` origins (`CORS_ALLOWED_ORIGINS`), each a valid header value
/// without its trailing `/`. `*` is refused: the answers allow credentials.
#[derive(Debug, Clone, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub struct CorsOrigins(Vec<HeaderValue>);

impl CorsOrigins {
    /// The classic frontend served on port 8080 of this host.
    pub fn development() -> Self {
        Self(vec![HeaderValue::from_static("http://127.0.0.1:8080"), HeaderValue::from_static("http://localhost:8080")])
    }

    /// The origins as the `Access-Control-Allow-Origin` values they are.
    pub fn header_values(&self) -> Vec<HeaderValue> {
        self.0.clone()
    }
}

impl FromStr for CorsOrigins {
    /// What is wrong with the list, to follow the name of the setting.
    type Err = String;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        split_list(list)
            .map(|origin| {
                if origin == "*" {
                    return Err("cannot be * (credentials are allowed); list the origins".to_owned());
                }
                if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                    return Err(format!("entry {origin:?} must start with http:// or https://"));
                }
                HeaderValue::from_str(origin.trim_end_matches('/'))
                    .map_err(|_| format!("entry {origin:?} is not a valid header value"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl fmt::Display for CorsOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, origin) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            // Made from text, so the bytes are that text's.
            f.write_str(&String::from_utf8_lossy(origin.as_bytes()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_lose_their_trailing_slash_and_are_written_back() {
        let origins: CorsOrigins = "https://www.meiduo.site/, http://localhost:8080".parse().unwrap();
        assert_eq!(origins.header_values()[0], "https://www.meiduo.site");
        assert_eq!(origins.to_string(), "https://www.meiduo.site,http://localhost:8080");
        assert_eq!(CorsOrigins::development().to_string(), "http://127.0.0.1:8080,http://localhost:8080");
    }

    #[test]
    fn a_wildcard_or_a_origin_without_scheme_is_refused() {
        assert!("*".parse::<CorsOrigins>().unwrap_err().contains("cannot be *"));
        assert!("www.meiduo.site".parse::<CorsOrigins>().unwrap_err().contains("\"www.meiduo.site\""));
    }
}
