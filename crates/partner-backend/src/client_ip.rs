//! The end user's IP for Proof's `client_ip`: the socket peer, or `X-Forwarded-For` when (and
//! only when) the peer is a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Pick the client IP. Walks `X-Forwarded-For` from the right (the entries the trusted proxies
/// appended), skipping trusted proxies and entries that are not an address, and takes the first
/// untrusted address: what the client put on the left cannot displace it, and one unreadable
/// entry does not turn the answer into the proxy's own address. Falls back to the peer when no
/// entry qualifies.
pub(crate) fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer_ip = peer.ip().to_canonical();
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let entries: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    entries.into_iter().rev().filter_map(parse_entry).find(|ip| !is_trusted(ip)).unwrap_or(peer_ip)
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`203.0.113.9:443`,
/// `[2001:db8::1]:443`), as some proxies write it.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
        .filter(|ip| !ip.is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    fn nets(n: &[&str]) -> Vec<IpNet> {
        n.iter().map(|s| s.parse().expect("cidr")).collect()
    }

    #[test]
    fn untrusted_peers_are_taken_as_is() {
        let peer: SocketAddr = "198.51.100.7:5000".parse().expect("addr");
        assert_eq!(client_ip(peer, &headers(&["203.0.113.42"]), &nets(&["10.0.0.0/8"])), peer.ip());
    }

    #[test]
    fn trusted_proxies_pass_the_nearest_untrusted_hop() {
        let peer: SocketAddr = "10.0.0.5:5000".parse().expect("addr");
        let trusted = nets(&["10.0.0.0/8"]);
        // The client forged the first entry; the proxy appended the real one.
        let h = headers(&["1.2.3.4, 203.0.113.42", "10.0.0.9"]);
        assert_eq!(client_ip(peer, &h, &trusted), "203.0.113.42".parse::<IpAddr>().expect("ip"));
    }

    #[test]
    fn malformed_entries_are_skipped_not_fatal() {
        let peer: SocketAddr = "10.0.0.5:5000".parse().expect("addr");
        let trusted = nets(&["10.0.0.0/8"]);
        let client = "203.0.113.42".parse::<IpAddr>().expect("ip");
        for xff in [
            &["garbage, 203.0.113.42"][..],
            &["203.0.113.42, not-an-ip"],
            &["1.2.3.4, , 203.0.113.42,,10.0.0.9"],
            &["unknown", "203.0.113.42"],
            &["203.0.113.42, 999.1.1.1, 10.0.0.7"],
            &["203.0.113.42:51234"],
            &["1.2.3.4", "203.0.113.42, 0.0.0.0"],
        ] {
            assert_eq!(client_ip(peer, &headers(xff), &trusted), client, "{xff:?}");
        }
        let v6 = headers(&["[2001:db8::7]:443"]);
        assert_eq!(client_ip(peer, &v6, &trusted), "2001:db8::7".parse::<IpAddr>().expect("ip"));
    }

    #[test]
    fn garbage_headers_fall_back_to_the_peer() {
        let peer: SocketAddr = "10.0.0.5:5000".parse().expect("addr");
        assert_eq!(client_ip(peer, &headers(&["not-an-ip"]), &nets(&["10.0.0.0/8"])), peer.ip());
        assert_eq!(client_ip(peer, &headers(&[]), &nets(&["10.0.0.0/8"])), peer.ip());
        assert_eq!(client_ip(peer, &headers(&["10.0.0.8, 10.0.0.9"]), &nets(&["10.0.0.0/8"])), peer.ip());
    }

    #[test]
    fn ipv4_mapped_ipv6_peers_are_normalised() {
        let peer: SocketAddr = "[::ffff:203.0.113.9]:443".parse().expect("addr");
        assert_eq!(client_ip(peer, &headers(&[]), &[]), "203.0.113.9".parse::<IpAddr>().expect("ip"));
    }
}
