//! The fake's own check of TC3-HMAC-SHA256, written apart from the adapter's signer so
//! that one mistake cannot sit in both and cancel out.

use hmac::{Hmac, Mac};
use salvo::http::HeaderMap;
use sha2::{Digest, Sha256};

/// The parts of `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX`.
pub struct Authorization {
    pub secret_id: String,
    pub date: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix("TC3-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in rest.split(", ") {
        let (name, value) = field.split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let (secret_id, date, service, terminator) = (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    if terminator != "tc3_request" || scope.next().is_some() {
        return None;
    }
    Some(Authorization {
        secret_id: secret_id.to_owned(),
        date: date.to_owned(),
        service: service.to_owned(),
        signed_headers: signed_headers?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

/// The canonical request rebuilt from what actually arrived; `None` when a signed header is missing.
pub fn canonical_request(headers: &HeaderMap, signed_headers: &[String], body: &[u8]) -> Option<String> {
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let value = headers.get(name.as_str())?.to_str().ok()?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim().to_lowercase()));
    }
    Some(format!("POST\n/\n\n{canonical_headers}\n{}\n{}", signed_headers.join(";"), sha256_hex(body)))
}

pub fn signature(secret_key: &str, auth: &Authorization, timestamp: &str, canonical_request: &str) -> String {
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{}/{}/tc3_request\n{}",
        auth.date,
        auth.service,
        sha256_hex(canonical_request.as_bytes())
    );
    let date_key = hmac(format!("TC3{secret_key}").as_bytes(), auth.date.as_bytes());
    let service_key = hmac(&date_key, auth.service.as_bytes());
    let signing_key = hmac(&service_key, b"tc3_request");
    hex::encode(hmac(&signing_key, string_to_sign.as_bytes()))
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
