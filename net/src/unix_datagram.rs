//! [`UnixDatagram`]: datagrams on a Unix socket, on the reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

use evloop_reactor::Direction;

use crate::io::{fmt_socket, Socket};
use crate::sys::{self, Name};
use crate::unix_addr::SocketAddr;
use crate::unix_path;

/// A Unix datagram socket, like asyncio's `create_datagram_endpoint(family=AF_UNIX)`
/// without the protocol class: message boundaries kept, delivery reliable and in order
/// (unlike UDP), between processes of one machine (syslog's `/dev/log`, systemd's
/// notify socket).
///
/// The methods take `&self`, so one socket can be shared (in an `Rc`) by a receiving
/// task and a sending task; at most one task should wait to receive, and one to send,
/// at a time (each direction keeps one waker, the latest waiter's).
///
/// ```
/// use evloop_net::UnixDatagram;
///
/// evloop_executor::run(async {
///     let (a, b) = UnixDatagram::pair()?;
///     a.send(b"one").await?;
///     a.send(b"two").await?;
///     let mut buf = [0; 16];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"one"); // one datagram per recv
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"two");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixDatagram {
    /// The registered datagram socket.
    sock: Socket,
}

impl UnixDatagram {
    /// A datagram socket bound to `path` (a name starting with `'\0'`: the abstract
    /// namespace), to receive datagrams sent there.
    ///
    /// ```
    /// use evloop_net::UnixDatagram;
    ///
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-dgram-{}", std::process::id());
    ///     let server = UnixDatagram::bind(&name)?;
    ///     let client = UnixDatagram::unbound()?;
    ///     client.send_to(b"log line", &name).await?;
    ///     let mut buf = [0; 64];
    ///     let (n, from) = server.recv_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"log line");
    ///     assert!(from.is_unnamed()); // the client never bound
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`UnixListener::bind`](crate::UnixListener::bind): `AddrInUse` naming the path
    /// and what is in the way, `InvalidInput` for a path too long, the OS error with the
    /// path otherwise.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let path = path.as_ref();
        let raw = unix_path::to_raw(path)?;
        let fd = sys::socket(libc::AF_UNIX, libc::SOCK_DGRAM)?;
        sys::bind(fd.as_raw_fd(), &raw).map_err(|e| {
            if e.kind() == io::ErrorKind::AddrInUse {
                unix_path::in_use(e, path)
            } else {
                unix_path::context(e, "cannot bind", path)
            }
        })?;
        Ok(UnixDatagram {
            sock: Socket::new(fd)?,
        })
    }

    /// A datagram socket bound to no address: it can send (with
    /// [`send_to`](Self::send_to), or [`send`](Self::send) after
    /// [`connect`](Self::connect)), but nobody can answer it by address.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UnixDatagram::unbound().unwrap();
    ///     assert!(socket.local_addr().unwrap().is_unnamed());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `socket`, or outside a running loop.
    pub fn unbound() -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            sock: Socket::new(sys::socket(libc::AF_UNIX, libc::SOCK_DGRAM)?)?,
        })
    }

    /// Two connected datagram sockets (`socketpair`).
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let (a, b) = evloop_net::UnixDatagram::pair().unwrap();
    ///     b.send(b"hi").await.unwrap();
    ///     let mut buf = [0; 2];
    ///     assert_eq!(a.recv(&mut buf).await.unwrap(), 2);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `socketpair`, or outside a running loop.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = sys::socketpair(libc::SOCK_DGRAM)?;
        Ok((
            UnixDatagram {
                sock: Socket::new(a)?,
            },
            UnixDatagram {
                sock: Socket::new(b)?,
            },
        ))
    }

    /// Sets the default peer: after it, [`send`](Self::send) goes to `path` and
    /// [`recv`](Self::recv) takes datagrams from it only.
    ///
    /// ```
    /// use evloop_net::UnixDatagram;
    ///
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-dgram-connect-{}", std::process::id());
    ///     let server = UnixDatagram::bind(&name).unwrap();
    ///     let client = UnixDatagram::unbound().unwrap();
    ///     client.connect(&name).unwrap();
    ///     client.send(b"hello").await.unwrap();
    ///     let mut buf = [0; 5];
    ///     assert_eq!(server.recv(&mut buf).await.unwrap(), 5);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error with the path in its message (`NotFound`, `ConnectionRefused`).
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        sys::connect(self.sock.fd(), &unix_path::to_raw(path)?)
            .map_err(|e| unix_path::context(e, "cannot connect to", path))
    }

    /// Sends one datagram to `target`, waiting while the receiver's queue is full.
    ///
    /// ```
    /// use evloop_net::UnixDatagram;
    ///
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-dgram-send-to-{}", std::process::id());
    ///     let _server = UnixDatagram::bind(&name).unwrap();
    ///     let client = UnixDatagram::unbound().unwrap();
    ///     assert_eq!(client.send_to(b"abc", &name).await.unwrap(), 3);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error with the path in its message (`NotFound`, `ConnectionRefused`, or
    /// `EMSGSIZE` for a datagram larger than the socket buffer).
    pub async fn send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        let raw = unix_path::to_raw(target)?;
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Write, cx, |fd| sys::send_to(fd, buf, &raw))
        })
        .await
        .map_err(|e| unix_path::context(e, "cannot send to", target))
    }

    /// Receives one datagram into `buf` and says who sent it. A datagram longer than
    /// `buf` is truncated to fit.
    ///
    /// ```
    /// use evloop_net::UnixDatagram;
    ///
    /// evloop_executor::run(async {
    ///     let server_name = format!("\0evloop-dgram-rf-s-{}", std::process::id());
    ///     let client_name = format!("\0evloop-dgram-rf-c-{}", std::process::id());
    ///     let server = UnixDatagram::bind(&server_name).unwrap();
    ///     let client = UnixDatagram::bind(&client_name).unwrap();
    ///     client.send_to(b"ping", &server_name).await.unwrap();
    ///     let mut buf = [0; 8];
    ///     let (n, from) = server.recv_from(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..n], b"ping");
    ///     assert_eq!(from.as_abstract_name(), Some(&client_name.as_bytes()[1..]));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Read, cx, |fd| sys::recv_from(fd, buf))
        })
        .await?;
        Ok((n, SocketAddr::from_raw(&from)?))
    }

    /// Sends one datagram to the [connected](Self::connect) peer.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let (a, _b) = evloop_net::UnixDatagram::pair().unwrap();
    ///     assert_eq!(a.send(b"hi").await.unwrap(), 2);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error: `NotConnected` before `connect`, `ConnectionRefused` once the peer
    /// is gone.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Write, cx, |fd| sys::send(fd, buf))
        })
        .await
    }

    /// Receives one datagram from the [connected](Self::connect) peer; `Ok(0)` is an
    /// empty datagram. A datagram peer that closes sends nothing: a `recv` from it waits
    /// on (bound it with `evloop::time::timeout`).
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let (a, b) = evloop_net::UnixDatagram::pair().unwrap();
    ///     a.send(b"hi").await.unwrap();
    ///     let mut buf = [0; 8];
    ///     assert_eq!(b.recv(&mut buf).await.unwrap(), 2);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| {
            self.sock
                .poll_io(Direction::Read, cx, |fd| sys::recv(fd, buf))
        })
        .await
    }

    /// Shuts down the reading, writing or both directions of this socket. Unlike a
    /// stream, a datagram socket's peer is not told: after `Shutdown::Write` this socket
    /// refuses to send (`BrokenPipe`), and nothing changes for the peer.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use std::net::Shutdown;
    /// evloop_executor::run(async {
    ///     let (a, _b) = evloop_net::UnixDatagram::pair().unwrap();
    ///     a.shutdown(Shutdown::Write).unwrap();
    ///     assert_eq!(a.send(b"x").await.unwrap_err().kind(), ErrorKind::BrokenPipe);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `shutdown`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.sock.shutdown(how)
    }

    /// The address the socket is bound to.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UnixDatagram::unbound().unwrap();
    ///     assert!(socket.local_addr().unwrap().is_unnamed());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        SocketAddr::from_raw(&self.sock.raw_name(Name::Local)?)
    }

    /// The [connected](Self::connect) peer's address.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::UnixDatagram::unbound().unwrap();
    ///     let err = socket.peer_addr().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
    /// });
    /// ```
    ///
    /// # Errors
    /// `NotConnected` before [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        SocketAddr::from_raw(&self.sock.raw_name(Name::Peer)?)
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_socket(
            f,
            "UnixDatagram",
            self.sock.fd(),
            self.local_addr(),
            self.peer_addr(),
        )
    }
}
