//! A policy, not a port: how much of a client's address its owner is shown.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address as the account's owner sees it in their sessions and sign-in
/// history: its /24 (IPv4) or /48 (IPv6), enough to tell "home" from "somewhere
/// else", not enough to pinpoint a subscriber if a page of it leaks. The full
/// address stays in the audit trail for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownAddress(IpAddr);

impl ShownAddress {
    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is shown as the IPv4 client it stands for.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(IpAddr::V4(Ipv4Addr::from(u32::from(v4) & 0xffff_ff00))),
            IpAddr::V6(v6) => Self(IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 80) - 1)))),
        }
    }
}

impl fmt::Display for ShownAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}/24"),
            IpAddr::V6(v6) => write!(f, "{v6}/48"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        ShownAddress::of(text.parse().unwrap()).to_string()
    }

    #[test]
    fn ipv4_keeps_its_first_three_octets() {
        assert_eq!(shown("203.0.113.9"), "203.0.113.0/24");
        assert_eq!(shown("203.0.113.255"), "203.0.113.0/24");
        assert_eq!(shown("::ffff:198.51.100.77"), "198.51.100.0/24");
    }

    #[test]
    fn ipv6_keeps_its_first_48_bits() {
        assert_eq!(shown("2001:db8:1:2::1"), "2001:db8:1::/48");
        assert_eq!(shown("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "2001:db8:ffff::/48");
    }
}
