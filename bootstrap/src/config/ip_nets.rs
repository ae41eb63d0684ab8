use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net};
use serde_with::{DeserializeFromStr, SerializeDisplay};

use super::split_list;

/// Comma-separated addresses or CIDRs (`TRUSTED_PROXIES`, `METRICS_ALLOW`); an address is
/// the network of that one host.
#[derive(Debug, Clone, Default, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub struct IpNets(Vec<IpNet>);

impl IpNets {
    /// `127.0.0.0/8,::1`: this host only.
    pub fn loopback() -> Self {
        Self(vec![
            IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8)),
            IpNet::from(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ])
    }

    pub fn nets(&self) -> &[IpNet] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<IpNet>> for IpNets {
    fn from(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }
}

impl FromStr for IpNets {
    /// What is wrong with the list, to follow the name of the setting.
    type Err = String;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        split_list(list)
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("entry {entry:?} is not an address or CIDR"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// As written: a single host is its bare address.
impl fmt::Display for IpNets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, net) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if net.prefix_len() == net.max_prefix_len() {
                write!(f, "{}", net.addr())?;
            } else {
                write!(f, "{net}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_cidrs_are_read_and_written_back_as_written() {
        let nets: IpNets = " 10.0.0.0/8, 192.0.2.7 ,,::1".parse().unwrap();
        assert_eq!(nets.nets().len(), 3);
        assert!(nets.nets()[1].contains(&"192.0.2.7".parse::<IpAddr>().unwrap()));
        assert_eq!(nets.to_string(), "10.0.0.0/8,192.0.2.7,::1");
        assert_eq!(IpNets::loopback().to_string(), "127.0.0.0/8,::1");
        assert!("".parse::<IpNets>().unwrap().is_empty());
    }

    #[test]
    fn an_entry_that_is_no_address_is_named() {
        assert_eq!(
            "10.0.0.1, proxy.local".parse::<IpNets>(),
            Err("entry \"proxy.local\" is not an address or CIDR".into())
        );
    }
}
