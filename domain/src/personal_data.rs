//! Masks for the personal data that must not reach a log: mobiles and email
//! addresses become `138****8000` and `v***@example.com`.

use crate::{Email, Mobile};

/// The masked form of `text` when it is a mobile or an email address, or looks
/// like one; `None` for anything else.
///
/// The domain's own parsers decide first, so whatever spelling the service
/// accepts as a mobile or an address (any Unicode whitespace, hyphens, `+86`,
/// upper case) is masked however it was written.
pub fn mask_contact(text: &str) -> Option<String> {
    if let Ok(mobile) = Mobile::parse(text) {
        return Some(mobile.masked());
    }
    if let Ok(email) = Email::parse(text) {
        return Some(email.masked());
    }
    mask_lookalike(text)
}

/// What the parsers refuse but still looks like a phone number or an address
/// (a foreign number, a malformed address) is masked as well.
fn mask_lookalike(text: &str) -> Option<String> {
    if let Some((local, domain)) = text.rsplit_once('@') {
        let first = local.chars().next().map(String::from).unwrap_or_default();
        return Some(format!("{first}***@{domain}"));
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    // Anything made of a phone number's characters with at least seven digits
    // is treated as one.
    let phone_like = text.chars().all(|c| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '+' | '-'));
    if phone_like && digits.len() >= 7 {
        // A country code in front (`+86`, `0086`) is dropped, as the mobile parser does.
        let national = &digits[digits.len().saturating_sub(11)..];
        return Some(format!("{}****{}", &national[..3], &national[national.len() - 4..]));
    }
    None
}

/// `text` masked when it is a mobile or an email address, unchanged otherwise.
pub fn masked(text: &str) -> String {
    mask_contact(text).unwrap_or_else(|| text.to_owned())
}

/// A request path with every segment that holds a mobile or an email masked,
/// judged on the segment percent-decoded: `victim%40example.com` and
/// `138%C2%A00013%C2%A08000` (no-break spaces) are masked like the plain spellings.
pub fn masked_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match mask_contact(&percent_decoded(segment)) {
            Some(mask) => mask,
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn percent_decoded(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_keep_their_first_three_and_last_four_digits() {
        assert_eq!(masked("13800138000"), "138****8000");
        assert_eq!(masked("+86 138-0013-8000"), "138****8000");
        assert_eq!(masked("alice_01"), "alice_01");
        assert_eq!(masked("42"), "42");
    }

    #[test]
    fn emails_keep_their_first_letter_and_domain() {
        assert_eq!(masked("victim@example.com"), "v***@example.com");
        assert_eq!(masked("@example.com"), "***@example.com");
    }

    #[test]
    fn paths_are_masked_segment_by_segment() {
        assert_eq!(masked_path("/sms_codes/13800138000/"), "/sms_codes/138****8000/");
        assert_eq!(masked_path("/emails/victim@example.com/count/"), "/emails/v***@example.com/count/");
        assert_eq!(masked_path("/email_codes/victim%40example.com/"), "/email_codes/v***@example.com/");
        assert_eq!(masked_path("/mobiles/%2B8613800138000/count"), "/mobiles/138****8000/count");
        assert_eq!(masked_path("/accounts/alice_01/sms/token/"), "/accounts/alice_01/sms/token/");
        assert_eq!(masked_path("/users/42/password/"), "/users/42/password/");
        assert_eq!(
            masked_path("/image_codes/6f9619ff-8b86-d011-b42d-00c04fc964ff/"),
            "/image_codes/6f9619ff-8b86-d011-b42d-00c04fc964ff/"
        );
    }

    #[test]
    fn mobiles_spelled_with_any_whitespace_the_parser_accepts_are_masked() {
        for path in [
            "/mobiles/138%C2%A00013%C2%A08000/count/",
            "/mobiles/138%E3%80%800013%E3%80%808000/count/",
            "/mobiles/138%090013%098000/count/",
            "/mobiles/+86%E2%80%8313800138000/count/",
            "/mobiles/%2B86%E2%80%83138-0013-8000/count/",
            "/mobiles/138\u{a0}0013\u{3000}8000/count/",
        ] {
            assert_eq!(masked_path(path), "/mobiles/138****8000/count/", "{path}");
        }
    }

    #[test]
    fn addresses_the_parser_accepts_are_masked_whatever_their_case_or_padding() {
        assert_eq!(masked_path("/emails/%20Victim%40Example.COM%09/count/"), "/emails/v***@example.com/count/");
        assert_eq!(masked_path("/email_codes/%E3%80%80victim@example.com/"), "/email_codes/v***@example.com/");
    }

    /// Random spellings of random mobiles: separators the parser drops (every Unicode
    /// whitespace character and `-`) anywhere, a country code or none, each character
    /// percent-encoded or not. Whatever `Mobile::parse` accepts comes out masked.
    #[test]
    fn every_spelling_mobile_parse_accepts_is_masked() {
        use rand::seq::IndexedRandom;
        use rand::{Rng, SeedableRng};

        let separators: Vec<char> =
            (0..=0x10_FFFF).filter_map(char::from_u32).filter(|c| c.is_whitespace() || *c == '-').collect();
        assert!(separators.len() > 20, "{separators:?}");
        let mut rng = rand::rngs::StdRng::seed_from_u64(22);
        for _ in 0..2_000 {
            let national: String = std::iter::once('1')
                .chain(std::iter::once(char::from(b'0' + rng.random_range(3..=9))))
                .chain((0..9).map(|_| char::from(b'0' + rng.random_range(0..=9))))
                .collect();
            let prefix = *["", "+86", "0086"].choose(&mut rng).unwrap_or(&"");
            let mut spelling = String::new();
            for c in prefix.chars().chain(national.chars()) {
                for _ in 0..rng.random_range(0..=2) {
                    spelling.push(*separators.choose(&mut rng).unwrap_or(&' '));
                }
                spelling.push(c);
            }
            spelling.push(*separators.choose(&mut rng).unwrap_or(&' '));
            let mobile = Mobile::parse(&spelling).unwrap_or_else(|e| panic!("{spelling:?}: {e}"));
            let encoded: String = spelling
                .chars()
                .map(|c| if rng.random_bool(0.5) { percent_encoded(c) } else { c.to_string() })
                .collect();

            let path = format!("/mobiles/{encoded}/count/");
            assert_eq!(masked_path(&path), format!("/mobiles/{}/count/", mobile.masked()), "{path}");
        }
    }

    fn percent_encoded(c: char) -> String {
        c.to_string().bytes().map(|byte| format!("%{byte:02X}")).collect()
    }
}
