//! A policy, not a port or a service: which clients one per-client limit
//! counts together is itself a limiting rule, used by the policies' limits.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// What a per-client limit counts against: an IPv4 address, or the /64 an
/// IPv6 address belongs to. One subscriber is routinely handed a whole /64, so
/// keying IPv6 clients on the full address would give an attacker 2^64 keys.
/// Audit entries keep the full address; only limits use this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientNetwork(IpAddr);

impl ClientNetwork {
    /// The network of `ip`; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`)
    /// is the IPv4 client it stands for.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Self(IpAddr::V6(Ipv6Addr::from(prefix)))
            }
        }
    }
}

impl fmt::Display for ClientNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(text: &str) -> String {
        ClientNetwork::of(text.parse().unwrap()).to_string()
    }

    #[test]
    fn an_ipv4_client_is_its_own_address() {
        assert_eq!(network("203.0.113.9"), "203.0.113.9");
    }

    #[test]
    fn an_ipv4_mapped_address_is_the_ipv4_client() {
        assert_eq!(network("::ffff:203.0.113.9"), "203.0.113.9");
    }

    #[test]
    fn ipv6_clients_of_one_64_share_a_key_and_other_64s_do_not() {
        assert_eq!(network("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:3::1"), "2001:db8:1:3::/64");
    }
}
