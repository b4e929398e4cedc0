//! [`ToSocketAddrs`]: what `bind`, `connect` and `send_to` accept, and [`lookup_host`].
//!
//! A literal `ip:port` is parsed on the spot, on the loop thread (it costs nothing). A
//! host name needs `getaddrinfo`, which blocks (DNS, `/etc/hosts`), so it runs on the
//! blocking pool ([`evloop_executor::spawn_blocking`]) and the loop goes on meanwhile:
//! asyncio's `loop.getaddrinfo` does the same with its default executor.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Something that names one or more socket addresses: a [`SocketAddr`], an
/// `(IpAddr, u16)`, a `"127.0.0.1:8080"` or `"localhost:8080"` string, a `(&str, u16)`
/// host–port pair, or a slice of addresses.
///
/// Like [`std::net::ToSocketAddrs`], except that host names are resolved off the loop
/// thread. The trait is sealed: its method is an implementation detail.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use evloop_net::lookup_host;
///
/// evloop_executor::run(async {
///     let want: SocketAddr = "127.0.0.1:80".parse().unwrap();
///     assert_eq!(lookup_host("127.0.0.1:80").await.unwrap(), [want]);
///     assert_eq!(lookup_host((Ipv4Addr::LOCALHOST, 80)).await.unwrap(), [want]);
///     assert_eq!(lookup_host(("127.0.0.1", 80)).await.unwrap(), [want]);
///     assert_eq!(lookup_host(want).await.unwrap(), [want]);
/// });
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

/// Resolves `addr` to its socket addresses, host names on the blocking pool (like
/// asyncio's `loop.getaddrinfo`).
///
/// ```
/// evloop_executor::run(async {
///     let addrs = evloop_net::lookup_host("localhost:8080").await.unwrap();
///     assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 8080));
/// });
/// ```
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] if `addr` is neither `ip:port` nor `host:port`, or
/// names no address; otherwise the resolver's error, with the name in its message.
///
/// # Panics
/// When a host name must be resolved outside a running loop.
pub async fn lookup_host<A: ToSocketAddrs>(addr: A) -> io::Result<Vec<SocketAddr>> {
    resolve(&addr).await
}

/// Resolves `addr`: on the spot for literals, on the blocking pool for host names. The
/// result is never empty.
pub(crate) async fn resolve<A: ToSocketAddrs + ?Sized>(addr: &A) -> io::Result<Vec<SocketAddr>> {
    let addrs = match addr.to_addrs()? {
        sealed::Addrs::Parsed(addrs) => addrs,
        sealed::Addrs::Lookup { host, port } => {
            let name = format!("{host}:{port}");
            let found = evloop_executor::spawn_blocking(move || {
                std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
                    .map(Iterator::collect::<Vec<_>>)
            })
            .await
            .map_err(|e| io::Error::other(format!("resolving `{name}`: {e}")))?;
            found.map_err(|e| io::Error::new(e.kind(), format!("resolving `{name}`: {e}")))?
        }
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address list to connect or bind to is empty",
        ));
    }
    Ok(addrs)
}

/// Runs `op` on each address in turn and returns the first success, or the last error.
pub(crate) async fn try_each<T, F, Fut>(addrs: Vec<SocketAddr>, mut op: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = io::Result<T>>,
{
    let mut last = None;
    for addr in addrs {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address given")))
}

/// The error for a string that is neither `ip:port` nor `host:port`.
fn invalid(text: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("invalid socket address `{text}`: expected `ip:port` or `host:port`"),
    )
}

/// Splits `host:port` (with an optional `[...]` around an IPv6 host) and decides whether
/// it needs the resolver.
fn parse_str(text: &str) -> io::Result<sealed::Addrs> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(sealed::Addrs::Parsed(vec![addr]));
    }
    let (host, port) = text.rsplit_once(':').ok_or_else(|| invalid(text))?;
    let port: u16 = port.parse().map_err(|_| invalid(text))?;
    host_port(host, port).map_err(|_| invalid(text))
}

/// A `(host, port)` pair: parsed if `host` is an IP literal, else a lookup.
fn host_port(host: &str, port: u16) -> io::Result<sealed::Addrs> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(sealed::Addrs::Parsed(vec![SocketAddr::new(ip, port)]));
    }
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid {
        return Err(invalid(&format!("{host}:{port}")));
    }
    Ok(sealed::Addrs::Lookup {
        host: host.to_owned(),
        port,
    })
}

/// The sealed half of [`ToSocketAddrs`].
mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// What an address argument turns into before any I/O.
    ///
    /// Users never name it; what it decides shows in where the work happens. A literal
    /// is `Parsed` on the loop thread; a host name is a `Lookup` for the blocking pool:
    ///
    /// ```
    /// let rt = evloop_executor::Runtime::new()?;
    /// let literal = rt.block_on(evloop_net::lookup_host("127.0.0.1:8080"))?;
    /// assert_eq!(literal[0].port(), 8080);
    /// assert_eq!(rt.blocking_threads(), 0); // parsed on the spot, no thread involved
    /// let named = rt.block_on(evloop_net::lookup_host(("localhost", 8080)))?;
    /// assert!(named.iter().all(|a| a.ip().is_loopback()));
    /// assert_eq!(rt.blocking_threads(), 1); // getaddrinfo ran on the pool
    /// // Neither a literal nor a valid host name: refused before any lookup.
    /// let bad = rt.block_on(evloop_net::lookup_host("no port here"));
    /// assert_eq!(bad.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    pub enum Addrs {
        /// Already known: literals and lists of addresses.
        Parsed(Vec<SocketAddr>),
        /// A host name for the resolver, and the port to pair with its answers.
        Lookup {
            /// The host name, e.g. `localhost`.
            host: String,
            /// The port, e.g. `8080`.
            port: u16,
        },
    }

    /// Turns `self` into [`Addrs`]; implemented only inside this crate.
    pub trait Sealed {
        /// Parses literals, or says which name to look up.
        fn to_addrs(&self) -> io::Result<Addrs>;
    }
}

/// Implements the trait for types that convert into one `SocketAddr` without I/O.
macro_rules! literal {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl sealed::Sealed for $ty {
            fn to_addrs(&self) -> io::Result<sealed::Addrs> {
                Ok(sealed::Addrs::Parsed(vec![SocketAddr::from(*self)]))
            }
        }
    )*};
}

literal!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16),
    ([u8; 4], u16)
);

impl ToSocketAddrs for str {}
impl sealed::Sealed for str {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        parse_str(self)
    }
}

impl ToSocketAddrs for String {}
impl sealed::Sealed for String {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        parse_str(self)
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::Sealed for (&str, u16) {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        host_port(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::Sealed for (String, u16) {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        host_port(&self.0, self.1)
    }
}

impl ToSocketAddrs for [SocketAddr] {}
impl sealed::Sealed for [SocketAddr] {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        Ok(sealed::Addrs::Parsed(self.to_vec()))
    }
}

impl<const N: usize> ToSocketAddrs for [SocketAddr; N] {}
impl<const N: usize> sealed::Sealed for [SocketAddr; N] {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        Ok(sealed::Addrs::Parsed(self.to_vec()))
    }
}

impl ToSocketAddrs for Vec<SocketAddr> {}
impl sealed::Sealed for Vec<SocketAddr> {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        Ok(sealed::Addrs::Parsed(self.clone()))
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    fn to_addrs(&self) -> io::Result<sealed::Addrs> {
        (**self).to_addrs()
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::{Addrs, Sealed};
    use super::*;

    fn parsed(a: &(impl Sealed + ?Sized)) -> Vec<SocketAddr> {
        match a.to_addrs().unwrap() {
            Addrs::Parsed(v) => v,
            other => panic!("expected a literal, got {other:?}"),
        }
    }

    #[test]
    fn literals_parse_without_the_resolver() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(parsed("127.0.0.1:80"), [v4]);
        assert_eq!(parsed("[::1]:80"), [v6]);
        assert_eq!(parsed(&("::1", 80)), [v6]);
        assert_eq!(parsed(&String::from("127.0.0.1:80")), [v4]);
        assert_eq!(parsed(&[v4, v6][..]), [v4, v6]);
        assert_eq!(parsed(&([127, 0, 0, 1], 80)), [v4]);
    }

    #[test]
    fn host_names_go_to_the_resolver() {
        match "localhost:8080".to_addrs().unwrap() {
            Addrs::Lookup { host, port } => assert_eq!((host.as_str(), port), ("localhost", 8080)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_invalid_input_naming_the_address() {
        for bad in [
            "",
            "nonsense",
            "host:port",
            "127.0.0.1:99999",
            "a b:80",
            ":80",
            "[::1:80",
        ] {
            let err = bad.to_addrs().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }
}
