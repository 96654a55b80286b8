//! The end user's IP for Proof's `client_ip`: the socket peer, or `X-Forwarded-For` when (and
//! only when) the peer is a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Pick the client IP. Walks `X-Forwarded-For` from the right, skipping trusted proxies, so a
/// client cannot spoof its address by sending its own header through the proxy.
pub(crate) fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer_ip = peer.ip().to_canonical();
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    hops.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer_ip)
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
    fn garbage_headers_fall_back_to_the_peer() {
        let peer: SocketAddr = "10.0.0.5:5000".parse().expect("addr");
        assert_eq!(client_ip(peer, &headers(&["not-an-ip"]), &nets(&["10.0.0.0/8"])), peer.ip());
        assert_eq!(client_ip(peer, &headers(&[]), &nets(&["10.0.0.0/8"])), peer.ip());
    }

    #[test]
    fn ipv4_mapped_ipv6_peers_are_normalised() {
        let peer: SocketAddr = "[::ffff:203.0.113.9]:443".parse().expect("addr");
        assert_eq!(client_ip(peer, &headers(&[]), &[]), "203.0.113.9".parse::<IpAddr>().expect("ip"));
    }
}
