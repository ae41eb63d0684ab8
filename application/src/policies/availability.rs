/// How often one client may ask whether a username, mobile or email is taken
/// (the answer enumerates accounts, so it is rationed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityPolicy {
    pub per_ip_per_minute: u32,
}

impl Default for AvailabilityPolicy {
    fn default() -> Self {
        Self { per_ip_per_minute: 60 }
    }
}
