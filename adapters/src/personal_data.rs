//! Masks for the personal data that must not reach a log: mobiles and email
//! addresses become `138****8000` and `v***@example.com`.

/// The masked form of `text` when it is (or looks like) a mobile or an email
/// address; `None` for anything else.
pub fn mask_contact(text: &str) -> Option<String> {
    if let Some((local, domain)) = text.rsplit_once('@') {
        let first = local.chars().next().map(String::from).unwrap_or_default();
        return Some(format!("{first}***@{domain}"));
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    // Anything made of a phone number's characters with at least seven digits
    // is treated as one, so a malformed or foreign number is masked as well.
    let phone_like = text.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '));
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

/// A request path with every segment that holds a mobile or an email masked
/// (percent-encoded ones included: `victim%40example.com`).
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
}
