//! What happens to `state` between the service and the classic `oauth_callback.html`:
//! the provider percent-encodes it onto the callback page's URL, the page reads it with its
//! `get_query_string` (the raw value up to the next `&`, through `decodeURI`), sends the
//! callback request, and finally does `location.href = <that value>`.

use reqwest::Url;

/// A provider handing `state` back on its redirect: percent-encoded as a query value. What a
/// query may hold stays as it is (unreserved characters, `/ ? : @ ! $ ' ( ) * , ; =`); what
/// would end or change the parameter (`&`, `#`, `+`, `%`), spaces and non-ASCII are encoded.
/// No `state` at all could come back through a provider that also encoded `/`, because
/// `decodeURI` never turns `%2F` back into `/`.
pub fn provider_encoded(state: &str) -> String {
    let mut encoded = String::new();
    for byte in state.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/?:@!$'()*,;=".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// ECMAScript's `decodeURI`: every `%XX` sequence is decoded as UTF-8, except those that
/// stand for one of `; / ? : @ & = + $ , #`, which stay encoded.
pub fn decode_uri(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |i: usize| {
        bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i)) {
            (b'%', Some(byte)) if byte < 0x80 => {
                if b";/?:@&=+$,#".contains(&byte) {
                    out.extend_from_slice(&bytes[i..i + 3]);
                } else {
                    out.push(byte);
                }
                i += 3;
            }
            (b'%', Some(lead)) => {
                // A multi-byte character: its continuation escapes follow.
                let length = lead.leading_ones() as usize;
                let sequence: Option<Vec<u8>> = (0..length).map(|k| hex(i + 3 * k)).collect();
                out.extend(sequence.expect("decodeURI throws on a broken UTF-8 escape"));
                i += 3 * length;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("decodeURI throws on invalid UTF-8")
}

/// The callback page's URL as the provider redirects to it.
pub fn callback_page(redirect_uri: &str, code: &str, state: &str) -> String {
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}code={code}&state={}", provider_encoded(state))
}

/// The page's `get_query_string(name)`: the raw value in `location.search`, through `decodeURI`.
pub fn get_query_string(page: &str, name: &str) -> Option<String> {
    let search = page.split('#').next()?.split_once('?')?.1;
    search.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).map(decode_uri)
}

/// Where `location.href = value` takes the browser from the callback page: a path with
/// its query and fragment on the page's own site.
pub fn landing(page: &str, href: &str) -> String {
    let url = Url::parse(page).expect("a URL").join(href).expect("a relative URL");
    let mut landed = url.path().to_owned();
    if let Some(query) = url.query() {
        landed.push('?');
        landed.push_str(query);
    }
    if let Some(fragment) = url.fragment() {
        landed.push('#');
        landed.push_str(fragment);
    }
    landed
}

/// `next` as a browser would show it once navigated: the same URL, normalised the way the URL
/// parser writes it (spaces and non-ASCII percent-encoded), so it compares with [`landing`].
pub fn as_navigated(page: &str, next: &str) -> String {
    landing(page, next)
}

#[test]
fn decode_uri_keeps_reserved_escapes_and_decodes_the_rest() {
    assert_eq!(decode_uri("%2Fa%20b%E6%89%8B%3F%25"), "%2Fa b手%3F%");
    assert_eq!(provider_encoded("/s?q=手 a&b#c%"), "/s?q=%E6%89%8B%20a%26b%23c%25");
}
