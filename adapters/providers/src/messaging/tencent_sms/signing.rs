//! TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0 ("签名方法 v3").
//!
//! Pure functions over the parts of a request that Tencent signs, so the published
//! worked example can be replayed step by step in the tests below.

use chrono::{DateTime, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub(super) const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// The only body type this adapter sends; Tencent compares it with the signed one byte for byte.
pub(super) const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The API key pair. The secret key signs and never leaves this module.
pub(super) struct Credentials<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
}

/// What a signature covers. API 3.0 always signs `POST /` with an empty query string.
pub(super) struct SignedParts<'a> {
    /// The product, e.g. `sms`; it names the credential scope.
    pub service: &'a str,
    /// The `Host` header as sent (with `:port` when not the scheme's default).
    pub host: &'a str,
    pub content_type: &'a str,
    /// Also signs `X-TC-Action` when given. Tencent's first published example signed only
    /// `content-type;host`, the current one adds `x-tc-action`; the server accepts either,
    /// since `SignedHeaders` tells it which headers to recompute.
    pub action: Option<&'a str>,
    pub payload: &'a [u8],
    /// The `X-TC-Timestamp` header; its UTC date names the credential scope.
    pub timestamp: DateTime<Utc>,
}

impl SignedParts<'_> {
    /// Lower-case names, sorted, with lower-cased trimmed values, as the canonical request wants them.
    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers =
            vec![("content-type", self.content_type.trim().to_lowercase()), ("host", self.host.trim().to_lowercase())];
        if let Some(action) = self.action {
            headers.push(("x-tc-action", action.trim().to_lowercase()));
        }
        headers
    }

    fn signed_headers(&self) -> String {
        self.headers().iter().map(|(name, _)| *name).collect::<Vec<_>>().join(";")
    }

    fn date(&self) -> String {
        // The UTC date, never the local one: at 00:30 in Beijing it is still yesterday in UTC.
        self.timestamp.format("%Y-%m-%d").to_string()
    }

    fn credential_scope(&self) -> String {
        format!("{}/{}/tc3_request", self.date(), self.service)
    }
}

/// Step 1: method, URI, query, headers, signed header names and the payload hash, one a line.
pub(super) fn canonical_request(parts: &SignedParts<'_>) -> String {
    let headers: String = parts.headers().iter().map(|(name, value)| format!("{name}:{value}\n")).collect();
    format!("POST\n/\n\n{headers}\n{}\n{}", parts.signed_headers(), sha256_hex(parts.payload))
}

/// Step 2: algorithm, timestamp, credential scope and the hash of the canonical request.
pub(super) fn string_to_sign(parts: &SignedParts<'_>, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        parts.timestamp.timestamp(),
        parts.credential_scope(),
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Step 3: the key derived from the secret key, date and service signs the string.
pub(super) fn signature(secret_key: &str, parts: &SignedParts<'_>, string_to_sign: &str) -> String {
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), parts.date().as_bytes());
    let secret_service = hmac_sha256(&secret_date, parts.service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    hex::encode(hmac_sha256(&secret_signing, string_to_sign.as_bytes()))
}

/// Step 4: the `Authorization` header value.
pub(super) fn authorization(credentials: &Credentials<'_>, parts: &SignedParts<'_>) -> String {
    let string_to_sign = string_to_sign(parts, &canonical_request(parts));
    format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
        credentials.secret_id,
        parts.credential_scope(),
        parts.signed_headers(),
        signature(credentials.secret_key, parts, &string_to_sign)
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // RFC 2104 hashes a key longer than the 64-byte block and zero-pads a shorter one;
    // doing that here gives the same MAC through the infallible fixed-size constructor.
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    //! Tencent Cloud's published worked example of signature v3 ("签名方法 v3",
    //! https://cloud.tencent.com/document/api/213/30654, copied into each product's API
    //! docs; demo code in github.com/TencentCloud/signature-process-demo): DescribeInstances on CVM at
    //! 1551113065 with the masked example keys, which the example signs verbatim. The page
    //! has carried two versions of it: first signing `content-type;host`, later also
    //! `x-tc-action`. Both are replayed.

    use super::*;

    const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******";
    const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3*******";
    /// The body as sent: the escapes are the six characters `\u672a`, not the decoded text.
    const PAYLOAD: &str = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const HASHED_PAYLOAD: &str = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";

    fn example(action: Option<&'static str>) -> SignedParts<'static> {
        SignedParts {
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            content_type: CONTENT_TYPE,
            action,
            payload: PAYLOAD.as_bytes(),
            timestamp: DateTime::from_timestamp(1_551_113_065, 0).expect("the example's timestamp"),
        }
    }

    fn credentials() -> Credentials<'static> {
        Credentials { secret_id: SECRET_ID, secret_key: SECRET_KEY }
    }

    #[test]
    fn hashes_the_example_payload_as_published() {
        assert_eq!(sha256_hex(PAYLOAD.as_bytes()), HASHED_PAYLOAD);
    }

    #[test]
    fn reproduces_the_first_published_example_signing_content_type_and_host() {
        let parts = example(None);
        let canonical = canonical_request(&parts);
        assert_eq!(
            canonical,
            format!(
                "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
                 content-type;host\n{HASHED_PAYLOAD}"
            )
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        let to_sign = string_to_sign(&parts, &canonical);
        assert_eq!(
            to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            signature(SECRET_KEY, &parts, &to_sign),
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
        assert_eq!(
            authorization(&credentials(), &parts),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn reproduces_the_current_published_example_also_signing_the_action() {
        let parts = example(Some("DescribeInstances"));
        let canonical = canonical_request(&parts);
        assert_eq!(
            canonical,
            format!(
                "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\
                 x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n{HASHED_PAYLOAD}"
            )
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
        );
        let to_sign = string_to_sign(&parts, &canonical);
        assert_eq!(
            to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
        );
        assert_eq!(
            signature(SECRET_KEY, &parts, &to_sign),
            "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
        );
        assert_eq!(
            authorization(&credentials(), &parts),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host;x-tc-action, \
             Signature=be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
        );
    }

    #[test]
    fn the_credential_scope_takes_the_utc_date() {
        // 2019-02-26 00:44:25 in Beijing (UTC+8), the example's own warning.
        assert_eq!(example(None).credential_scope(), "2019-02-25/cvm/tc3_request");
    }

    #[test]
    fn hmac_hashes_a_key_longer_than_the_block_first() {
        // RFC 4231, test case 6: a 131-byte key.
        let mac = hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(hex::encode(mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }
}
