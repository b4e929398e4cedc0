//! [`TcpStream`]: a TCP connection, `Stream<Tcp>`: how it connects and its TCP options
//! (the reads and writes are [`Stream`]'s).

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::task::{ready, Poll};
use std::time::Duration;

use evloop_reactor::Direction;

use crate::addr::{resolve, try_each, ToSocketAddrs};
use crate::family::Tcp;
use crate::io::Socket;
use crate::stream::Stream;
use crate::sys;

/// A TCP connection, like the `(reader, writer)` pair of asyncio's `open_connection`.
///
/// Made by [`TcpStream::connect`] or [`TcpListener::accept`](crate::TcpListener::accept).
/// Reads and writes suspend the task, not the thread, while the socket is not ready.
/// Dropping the stream deregisters it and closes the socket. Its reads, writes,
/// addresses and [`into_split`](Stream::into_split) are [`Stream`]'s, shared with
/// [`UnixStream`](crate::UnixStream); the TCP-only parts are below.
///
/// ```
/// use evloop_net::{TcpListener, TcpStream};
///
/// evloop_executor::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type TcpStream = Stream<Tcp>;

impl Stream<Tcp> {
    /// Opens a connection to `addr`, trying each address it resolves to in turn.
    ///
    /// The connect is non-blocking: the task waits for the socket to become writable,
    /// then reads the outcome from `SO_ERROR`.
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// evloop_executor::run(async {
    ///     // Bind and drop a listener to find a port nobody listens on.
    ///     let port = evloop_net::TcpListener::bind("127.0.0.1:0").await.unwrap()
    ///         .local_addr().unwrap().port();
    ///     let err = evloop_net::TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// });
    /// ```
    ///
    /// # Errors
    /// An invalid address ([`io::ErrorKind::InvalidInput`]), a resolver error, or the
    /// error of the last address tried (e.g. `ConnectionRefused`).
    ///
    /// # Panics
    /// Outside a running loop, when a host name must be resolved.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addrs = resolve(&addr).await?;
        try_each(addrs, TcpStream::connect_one).await
    }

    /// Connects to one address.
    async fn connect_one(addr: SocketAddr) -> io::Result<TcpStream> {
        TcpStream::connect_fd(
            sys::socket(sys::inet::domain_of(&addr), libc::SOCK_STREAM)?,
            addr,
        )
        .await
    }

    /// Connects the fresh non-blocking stream socket `fd` (set up by the caller, as
    /// `TcpSocket` does) to `addr`.
    pub(crate) async fn connect_fd(fd: OwnedFd, addr: SocketAddr) -> io::Result<TcpStream> {
        let sock = Socket::new(fd)?;
        match sys::connect(sock.fd(), &sys::inet::to_raw(&addr)) {
            Ok(()) => return Ok(TcpStream::from_socket(sock)),
            Err(e)
                if e.raw_os_error() == Some(libc::EINPROGRESS)
                    || e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        poll_fn(|cx| loop {
            ready!(sock.poll_connected(addr, cx))?;
            if let Some(e) = sys::take_error(sock.fd())? {
                return Poll::Ready(Err(e));
            }
            match sock.peer_addr() {
                Ok(_) => return Poll::Ready(Ok(())),
                // Writable without being connected: a spurious edge; wait for the next.
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {
                    sock.clear_ready(Direction::Write);
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        })
        .await?;
        Ok(TcpStream::from_socket(sock))
    }

    /// Turns Nagle's algorithm off (`true`) or on (`TCP_NODELAY`). Off, small writes go
    /// out at once instead of waiting to be coalesced: what request–response protocols
    /// want.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     client.set_nodelay(true).unwrap();
    ///     assert!(client.nodelay().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        sys::set_int_option(
            self.sock.fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            libc::c_int::from(nodelay),
        )
    }

    /// Whether Nagle's algorithm is off (see [`set_nodelay`](Self::set_nodelay)).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     assert!(!client.nodelay().unwrap()); // the OS default
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn nodelay(&self) -> io::Result<bool> {
        sys::int_option(self.sock.fd(), libc::IPPROTO_TCP, libc::TCP_NODELAY).map(|v| v != 0)
    }

    /// Sets `SO_LINGER`, what closing the socket does with data not yet sent. `None`
    /// (the OS default): close returns at once and the kernel sends the rest in the
    /// background. `Some(Duration::ZERO)`: close discards it and sends the peer a reset
    /// (RST) instead of a FIN, which the peer sees as `ConnectionReset`. `Some(d)`: a
    /// blocking close would wait up to `d` (whole seconds); prefer
    /// [`shutdown`](Self::shutdown) and reading to EOF on a loop that must not block.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// # use std::time::Duration;
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     client.set_linger(Some(Duration::ZERO)).unwrap();
    ///     assert_eq!(client.linger().unwrap(), Some(Duration::ZERO));
    ///     drop(client); // a reset, not a FIN
    ///     let err = server.read(&mut [0u8; 16]).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        sys::set_linger(self.sock.fd(), linger)
    }

    /// The `SO_LINGER` setting (see [`set_linger`](Self::set_linger)).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// # use std::time::Duration;
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(client.linger().unwrap(), None); // the OS default
    ///     client.set_linger(Some(Duration::from_secs(3))).unwrap();
    ///     assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
    ///     client.set_linger(None).unwrap();
    ///     assert_eq!(client.linger().unwrap(), None);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        sys::linger(self.sock.fd())
    }
}
