//! The fake's own check of ACS3-HMAC-SHA256, written apart from the adapter's signer so
//! that one mistake cannot sit in both and cancel out.

use hmac::{Hmac, Mac};
use salvo::http::HeaderMap;
use sha2::{Digest, Sha256};

/// The parts of `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=HEX`.
pub struct Authorization {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix("ACS3-HMAC-SHA256 ")?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in rest.split(',') {
        match field.split_once('=')? {
            ("Credential", value) => credential = Some(value),
            ("SignedHeaders", value) => signed_headers = Some(value),
            ("Signature", value) => signature = Some(value),
            _ => return None,
        }
    }
    Some(Authorization {
        access_key_id: credential?.to_owned(),
        signed_headers: signed_headers?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

/// Alibaba's rule: `A-Za-z0-9-_.~` stay, every other UTF-8 byte is `%XX`, upper-case hex.
pub fn rfc3986(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The canonical request rebuilt from what arrived: the decoded query re-encoded and sorted,
/// the signed headers as received. `None` when a signed header is missing.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    signed_headers: &[String],
    hashed_payload: &str,
) -> Option<String> {
    let mut pairs: Vec<(String, String)> = query.iter().map(|(k, v)| (rfc3986(k), rfc3986(v))).collect();
    pairs.sort();
    let query: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let value = headers.get(name.as_str())?.to_str().ok()?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    Some(format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{}\n{hashed_payload}",
        query.join("&"),
        signed_headers.join(";")
    ))
}

pub fn signature(secret: &str, canonical_request: &str) -> String {
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical_request.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
