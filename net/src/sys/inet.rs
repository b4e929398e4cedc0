//! IPv4 and IPv6 addresses: [`SocketAddr`] to and from `sockaddr_in`/`sockaddr_in6`.

use std::io;
use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use libc::{c_int, sockaddr_in, sockaddr_in6, sockaddr_storage, socklen_t};

use super::RawAddr;

/// The address family (`AF_INET` or `AF_INET6`) to create a socket for `addr` with.
pub(crate) fn domain_of(addr: &SocketAddr) -> c_int {
    match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    }
}

/// Encodes `addr` as a `sockaddr_in`/`sockaddr_in6`.
pub(crate) fn to_raw(addr: &SocketAddr) -> RawAddr {
    let mut raw = RawAddr::buffer();
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: `sockaddr_storage` is large and aligned enough for any sockaddr.
            unsafe {
                (&mut raw.storage as *mut sockaddr_storage)
                    .cast::<sockaddr_in>()
                    .write(sin)
            };
            size_of::<sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: `sockaddr_storage` is large and aligned enough for any sockaddr.
            unsafe {
                (&mut raw.storage as *mut sockaddr_storage)
                    .cast::<sockaddr_in6>()
                    .write(sin6)
            };
            size_of::<sockaddr_in6>()
        }
    };
    raw.len = len as socklen_t;
    raw
}

/// Decodes an address the kernel wrote.
pub(crate) fn from_raw(raw: &RawAddr) -> io::Result<SocketAddr> {
    let len = raw.len();
    match raw.family() {
        libc::AF_INET if len >= size_of::<sockaddr_in>() => {
            // SAFETY: the family says the storage holds a `sockaddr_in`, and it is long
            // enough; `sockaddr_storage` is aligned for it.
            let sin = unsafe { &*(&raw.storage as *const sockaddr_storage).cast::<sockaddr_in>() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Ok(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 if len >= size_of::<sockaddr_in6>() => {
            // SAFETY: the family says the storage holds a `sockaddr_in6`, and it is long
            // enough; `sockaddr_storage` is aligned for it.
            let sin6 =
                unsafe { &*(&raw.storage as *const sockaddr_storage).cast::<sockaddr_in6>() };
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        family => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unexpected socket address family {family} (length {len})"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_survive_the_round_trip_through_sockaddr() {
        for text in ["127.0.0.1:8080", "0.0.0.0:0", "[::1]:443", "[fe80::1%3]:1"] {
            let addr: SocketAddr = text.parse().unwrap();
            assert_eq!(from_raw(&to_raw(&addr)).unwrap(), addr, "{text}");
        }
    }

    #[test]
    fn a_short_or_foreign_sockaddr_is_an_error_not_garbage() {
        let mut short = to_raw(&"127.0.0.1:1".parse().unwrap());
        short.len = 2;
        assert!(from_raw(&short).is_err());
        let mut unspec = RawAddr::buffer();
        unspec.len = 16;
        assert!(from_raw(&unspec).is_err());
    }
}
