//! [`UdpSocket`]: datagrams on the reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use evloop_reactor::Direction;

use crate::addr::{resolve, try_each, ToSocketAddrs};
use crate::io::{fmt_socket, Socket};
use crate::sys;

/// A UDP socket, like asyncio's `create_datagram_endpoint` without the protocol class.
///
/// Each `send_to` sends one datagram and each `recv_from` receives one. The methods take
/// `&self`, so one socket can be shared (in an `Rc`) by a receiving task and a sending
/// task; at most one task should wait to receive, and one to send, at a time (each
/// direction keeps one waker, the latest waiter's).
///
/// ```
/// use evloop_net::UdpSocket;
///
/// evloop_executor::run(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    /// The registered datagram socket.
    sock: Socket,
}

impl UdpSocket {
    /// Binds a UDP socket to `addr`, trying each address it resolves to in turn.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     assert_ne!(socket.local_addr().unwrap().port(), 0);
    /// });
    /// ```
    ///
    /// # Errors
    /// An invalid address ([`io::ErrorKind::InvalidInput`]), a resolver error, or the OS
    /// error of the last address tried.
    ///
    /// # Panics
    /// Outside a running loop, when a host name must be resolved.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addrs = resolve(&addr).await?;
        try_each(addrs, |addr| async move {
            let fd = sys::socket(sys::inet::domain_of(&addr), libc::SOCK_DGRAM)?;
            sys::bind(fd.as_raw_fd(), &sys::inet::to_raw(&addr))?;
            Ok(UdpSocket {
                sock: Socket::new(fd)?,
            })
        })
        .await
    }

    /// Sends one datagram to `target` (its first resolved address) and returns the
    /// number of bytes sent. An empty `buf` sends an empty datagram.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let n = socket.send_to(b"hello", socket.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(n, 5);
    /// });
    /// ```
    ///
    /// # Errors
    /// An invalid address, or the OS error (e.g. `EMSGSIZE` for an oversized datagram).
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = sys::inet::to_raw(&resolve(&target).await?[0]);
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Write, cx, |fd| sys::send_to(fd, buf, &target))
        })
        .await
    }

    /// Receives one datagram into `buf` and returns its length and sender. A datagram
    /// longer than `buf` is truncated to fit.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     socket.send_to(b"to myself", socket.local_addr().unwrap()).await.unwrap();
    ///     let mut buf = [0; 64];
    ///     let (n, from) = socket.recv_from(&mut buf).await.unwrap();
    ///     assert_eq!((&buf[..n], from), (&b"to myself"[..], socket.local_addr().unwrap()));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `ConnectionRefused` after an earlier datagram hit a closed port.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Read, cx, |fd| sys::recv_from(fd, buf))
        })
        .await
        .and_then(|(n, from)| Ok((n, sys::inet::from_raw(&from)?)))
    }

    /// Sets the default peer (the first address `addr` resolves to that works): after it,
    /// [`send`](Self::send) goes there and [`recv`](Self::recv) takes datagrams from it
    /// only.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let a = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let b = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     a.connect(b.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// An invalid address, or the OS error of the last address tried.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let addrs = resolve(&addr).await?;
        try_each(addrs, |addr| async move {
            sys::connect(self.sock.fd(), &sys::inet::to_raw(&addr))
        })
        .await
    }

    /// Sends one datagram to the [connected](Self::connect) peer.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let a = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let b = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     a.connect(b.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(a.send(b"hi").await.unwrap(), 2);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error: `EDESTADDRREQ` before `connect`, `ConnectionRefused` once the peer
    /// answered an earlier datagram with "port unreachable".
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Write, cx, |fd| sys::send(fd, buf))
        })
        .await
    }

    /// Receives one datagram from the [connected](Self::connect) peer.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let a = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let b = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     a.connect(b.local_addr().unwrap()).await.unwrap();
    ///     b.connect(a.local_addr().unwrap()).await.unwrap();
    ///     a.send(b"hi").await.unwrap();
    ///     let mut buf = [0; 8];
    ///     assert_eq!(b.recv(&mut buf).await.unwrap(), 2);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `ConnectionRefused` when the peer's port is closed.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Read, cx, |fd| sys::recv(fd, buf))
        })
        .await
    }

    /// The address the socket is bound to.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     assert!(socket.local_addr().unwrap().ip().is_loopback());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.local_addr()
    }

    /// The [connected](Self::connect) peer's address.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let err = socket.peer_addr().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
    /// });
    /// ```
    ///
    /// # Errors
    /// `NotConnected` before [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.peer_addr()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_socket(
            f,
            "UdpSocket",
            self.sock.fd(),
            self.sock.local_addr(),
            self.sock.peer_addr(),
        )
    }
}
