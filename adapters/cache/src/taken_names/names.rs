use domain::NewUser;
use hmac::{Hmac, Mac};
use security::{ServiceSecret, derived_mac};
use sha2::Sha256;

/// A username, mobile or email as stored and as the database compares it:
/// usernames case-insensitively, mobiles and (lower-cased) emails exactly.
#[derive(Debug, Clone, Copy)]
pub enum TakenName<'a> {
    Username(&'a str),
    Mobile(&'a str),
    Email(&'a str),
}

/// The names a new account takes, owned, so they can be told before the
/// account is handed to the store and again after.
pub struct NewUserNames {
    username: String,
    mobile: Option<String>,
    email: Option<String>,
}

impl NewUserNames {
    pub fn of(user: &NewUser) -> Self {
        Self {
            username: user.username.clone(),
            mobile: user.mobile.as_ref().map(|m| m.as_str().to_owned()),
            email: user.email.as_ref().map(|e| e.as_str().to_owned()),
        }
    }

    pub fn list(&self) -> Vec<TakenName<'_>> {
        let mut names = vec![TakenName::Username(&self.username)];
        names.extend(self.mobile.as_deref().map(TakenName::Mobile));
        names.extend(self.email.as_deref().map(TakenName::Email));
        names
    }
}

/// 64-bit keyed fingerprints of names: the same on every instance sharing
/// the service secret (they travel between instances on Redis), and of no use
/// for guessing a mobile or email to whoever reads that channel.
pub struct NameFingerprints {
    mac: Hmac<Sha256>,
}

impl NameFingerprints {
    pub fn new(service_secret: &ServiceSecret) -> Self {
        Self { mac: derived_mac(b"meiduo-accounts/taken-name-fingerprint/v1\0", service_secret) }
    }

    /// The fingerprints under which `name` counts as taken: one, or for a
    /// username outside ASCII also its Unicode lower case (the database
    /// compares usernames with its own `lower()`).
    pub fn of(&self, name: TakenName<'_>) -> Vec<u64> {
        match name {
            TakenName::Username(username) => {
                let mut prints = vec![self.print(b'u', &username.to_ascii_lowercase())];
                if !username.is_ascii() {
                    prints.push(self.print(b'u', &username.to_lowercase()));
                }
                prints
            }
            TakenName::Mobile(mobile) => vec![self.print(b'm', mobile)],
            TakenName::Email(email) => vec![self.print(b'e', email)],
        }
    }

    /// The fingerprint an availability check looks up; `None` when memory
    /// cannot judge the name (a username outside ASCII: only the database's
    /// own `lower()` can), and the database must answer.
    pub fn of_query(&self, name: TakenName<'_>) -> Option<u64> {
        match name {
            TakenName::Username(username) if !username.is_ascii() => None,
            other => self.of(other).first().copied(),
        }
    }

    fn print(&self, kind: u8, value: &str) -> u64 {
        let mut mac = self.mac.clone();
        mac.update(&[kind, 0]);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_differing_only_in_ascii_case_share_a_fingerprint() {
        let prints = NameFingerprints::new(&ServiceSecret::from(b"secret"));
        assert_eq!(prints.of_query(TakenName::Username("Alice_1")), prints.of_query(TakenName::Username("aLICE_1")));
        assert_ne!(prints.of_query(TakenName::Username("alice_1")), prints.of_query(TakenName::Username("alice_2")));
        assert_eq!(prints.of_query(TakenName::Username("Ålice")), None, "only the database can judge it");
        assert_eq!(prints.of(TakenName::Username("Ålice")).len(), 2);
    }

    #[test]
    fn kinds_and_secrets_keep_fingerprints_apart() {
        let prints = NameFingerprints::new(&ServiceSecret::from(b"secret"));
        let mobile = TakenName::Mobile("13800138000");
        assert_ne!(prints.of_query(TakenName::Username("13800138000")), prints.of_query(mobile));
        let other = NameFingerprints::new(&ServiceSecret::from(b"another secret"));
        assert_ne!(prints.of_query(mobile), other.of_query(mobile));
    }
}
