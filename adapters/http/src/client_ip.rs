use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use salvo::prelude::Request;

/// Finds the client's address for per-client limits: the socket's peer,
/// unless that peer is a trusted proxy, in which case the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy. Addresses are
/// canonical: a server listening on `[::]` sees IPv4 clients as
/// `::ffff:a.b.c.d`, which must match IPv4 `TRUSTED_PROXIES` entries and key
/// the same limits as the plain IPv4 address.
#[derive(Debug, Clone, Default)]
pub struct ClientIpResolver {
    trusted_proxies: Vec<IpNet>,
}

impl ClientIpResolver {
    pub fn new(trusted_proxies: Vec<IpNet>) -> Self {
        Self { trusted_proxies }
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }

    pub fn resolve(&self, req: &Request) -> IpAddr {
        let peer = peer_ip(req);
        let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        self.resolve_from(peer, forwarded)
    }

    /// The client when it can be known: the peer of a request that carries no
    /// forwarding header, or the client a trusted proxy names in
    /// `X-Forwarded-For`. `None` for a request with forwarding headers from a
    /// peer that is not a trusted proxy (a proxy on the same host would make
    /// every client look like loopback), or a trusted proxy's request without
    /// `X-Forwarded-For`.
    pub fn resolve_known(&self, req: &Request) -> Option<IpAddr> {
        let peer = peer_ip(req);
        let headers = req.headers();
        let forwarded = FORWARDING_HEADERS.iter().any(|name| headers.contains_key(*name));
        if !forwarded {
            return Some(peer);
        }
        (self.is_trusted(peer) && headers.contains_key("x-forwarded-for")).then(|| self.resolve(req))
    }

    /// Whether the socket's peer is a trusted proxy, whose forwarding headers
    /// (`X-Forwarded-Host`, `X-Forwarded-Proto`) may be believed.
    pub fn peer_is_trusted_proxy(&self, req: &Request) -> bool {
        self.is_trusted(peer_ip(req))
    }

    fn resolve_from<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.is_trusted(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).map(str::trim).collect();
        let mut client = peer;
        // Walk from the nearest hop outwards; a hop we cannot parse ends the
        // chain, since anything beyond it may be forged.
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
                Ok(ip) => {
                    client = ip;
                    if !self.is_trusted(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

/// Headers a reverse proxy adds; their presence means the peer may be only the proxy.
pub const FORWARDING_HEADERS: [&str; 3] = ["x-forwarded-for", "forwarded", "x-real-ip"];

/// The socket's peer in canonical form (an IPv4-mapped IPv6 peer is its IPv4 address).
pub fn peer_ip(req: &Request) -> IpAddr {
    req.remote_addr().ip().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)).to_canonical()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let resolver = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(resolver.resolve_from(ip("203.0.113.9"), ["1.2.3.4"].into_iter()), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_s_nearest_untrusted_hop_is_the_client() {
        let resolver = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let chain = ["198.51.100.1, 203.0.113.7", "10.1.1.1"];
        assert_eq!(resolver.resolve_from(ip("10.0.0.2"), chain.into_iter()), ip("203.0.113.7"));
        assert_eq!(resolver.resolve_from(ip("10.0.0.2"), [].into_iter()), ip("10.0.0.2"));
        assert_eq!(resolver.resolve_from(ip("10.0.0.2"), ["garbage"].into_iter()), ip("10.0.0.2"));
    }

    #[test]
    fn without_trusted_proxies_forwarded_headers_are_ignored() {
        let resolver = ClientIpResolver::default();
        assert_eq!(resolver.resolve_from(ip("127.0.0.1"), ["1.2.3.4"].into_iter()), ip("127.0.0.1"));
    }

    #[test]
    fn an_ipv4_mapped_peer_matches_an_ipv4_trusted_proxy() {
        let resolver = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(resolver.resolve_from(ip("::ffff:10.0.0.2"), ["203.0.113.7"].into_iter()), ip("203.0.113.7"));
    }

    #[test]
    fn mapped_addresses_come_out_as_ipv4() {
        let resolver = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(resolver.resolve_from(ip("::ffff:203.0.113.9"), [].into_iter()), ip("203.0.113.9"));
        assert_eq!(resolver.resolve_from(ip("10.0.0.2"), ["::ffff:198.51.100.4"].into_iter()), ip("198.51.100.4"));
    }
}
