use std::fmt;

use secrecy::{ExposeSecret, SecretSlice};

/// The service secret (`JWT_SECRET`, or the embedded mode's generated key): it signs access
/// and flow tokens and keys the digests of codes, refresh-token successors and taken names.
///
/// No `Debug` shows it and its memory is wiped when it is dropped; each adapter reads it
/// (`expose_secret`) only where it derives its own key.
#[derive(Clone)]
pub struct ServiceSecret(SecretSlice<u8>);

impl ServiceSecret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes.into())
    }
}

impl ExposeSecret<[u8]> for ServiceSecret {
    fn expose_secret(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl From<Vec<u8>> for ServiceSecret {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl From<&[u8]> for ServiceSecret {
    fn from(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for ServiceSecret {
    fn from(bytes: &[u8; N]) -> Self {
        Self::new(bytes.to_vec())
    }
}

impl fmt::Debug for ServiceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceSecret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_byte_of_the_secret() {
        let secret = ServiceSecret::from(b"do-not-print-this-service-secret");
        assert_eq!(format!("{secret:?}"), "ServiceSecret(***)");
        assert_eq!(secret.expose_secret(), b"do-not-print-this-service-secret");
    }
}
