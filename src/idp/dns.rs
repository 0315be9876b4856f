//! Name resolution for the one HTTP client: `localhost` and `*.localhost` are answered in-process
//! with the loopback addresses (RFC 6761 §6.3, as browsers do), every other name by the system's
//! resolver. Plain http is allowed to `localhost` because it is loopback (`refuse_plain_http`): this
//! makes sure it is, whatever /etc/hosts or a DNS server says, and it spares each run the system
//! resolver's start-up (its modules are loaded on first use) for a name whose answer is fixed.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The resolver `Http` gives reqwest.
#[derive(Debug, Default, Clone, Copy)]
pub struct Resolver;

/// Whether `host` is a localhost name.
pub fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_localhost(&host) {
                let loopback = [
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ]
                .map(|ip| SocketAddr::new(ip, 0));
                let addrs: Addrs = Box::new(loopback.into_iter());
                return Ok(addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names_are_loopback() {
        assert!(is_localhost("localhost"));
        assert!(is_localhost("LOCALHOST."));
        assert!(is_localhost("duo.localhost"));
        assert!(!is_localhost("localhost.example.com"));
        assert!(!is_localhost("notlocalhost"));
    }

    #[test]
    fn localhost_resolves_without_the_system() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let name: Name = "localhost".parse().unwrap();
        let addrs: Vec<SocketAddr> = rt.block_on(Resolver.resolve(name)).unwrap().collect();
        assert_eq!(addrs.len(), 2);
        assert!(addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
