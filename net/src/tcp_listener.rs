//! [`TcpListener`]: a listening TCP socket whose `accept` waits on the reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::task::{Context, Poll};

use evloop_reactor::Direction;

use crate::addr::{resolve, try_each, ToSocketAddrs};
use crate::io::{fmt_socket, Socket};
use crate::sys;
use crate::tcp_stream::TcpStream;

/// How many finished handshakes the kernel may queue before `accept` takes them (capped
/// by `net.core.somaxconn`, 4096 on current Linux). Bursts of connects, as in a C10K
/// test, need a deep queue.
pub(crate) const BACKLOG: libc::c_int = 4096;

/// A TCP socket listening for connections, like the server asyncio's `start_server`
/// creates.
///
/// Bound with `SO_REUSEADDR` (a restarted server can bind its port at once), non-blocking
/// and close-on-exec, with a backlog of 4096. Dropping it stops listening and closes it.
///
/// ```
/// use evloop_net::{TcpListener, TcpStream};
///
/// evloop_executor::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let client = evloop_executor::spawn(async move {
///         let mut stream = TcpStream::connect(addr).await?;
///         stream.write_all(b"hi").await
///     });
///     let (mut conn, _peer) = listener.accept().await?;
///     let mut buf = [0; 2];
///     conn.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     client.await.unwrap()
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    /// The registered listening socket; it is readable when a connection waits.
    sock: Socket,
}

impl TcpListener {
    /// Binds a listening socket to `addr`, trying each address it resolves to in turn.
    ///
    /// Port 0 asks the OS for a free port; [`local_addr`](Self::local_addr) tells which.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let listener = evloop_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     assert_ne!(listener.local_addr().unwrap().port(), 0);
    /// });
    /// ```
    ///
    /// # Errors
    /// An invalid address ([`io::ErrorKind::InvalidInput`]), a resolver error, or the OS
    /// error of the last address tried (e.g. `AddrInUse`).
    ///
    /// # Panics
    /// Outside a running loop, when a host name must be resolved.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addrs = resolve(&addr).await?;
        try_each(addrs, |addr| async move { TcpListener::bind_one(&addr) }).await
    }

    /// Creates, binds and registers a listening socket for one address.
    fn bind_one(addr: &SocketAddr) -> io::Result<TcpListener> {
        let fd = sys::socket(sys::inet::domain_of(addr), libc::SOCK_STREAM)?;
        sys::set_int_option(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
        sys::bind(fd.as_raw_fd(), &sys::inet::to_raw(addr))?;
        TcpListener::listen_fd(fd, BACKLOG)
    }

    /// Starts listening on the bound socket `fd` (set up by the caller, as `TcpSocket`
    /// does) and registers it.
    pub(crate) fn listen_fd(fd: OwnedFd, backlog: libc::c_int) -> io::Result<TcpListener> {
        sys::listen(fd.as_raw_fd(), backlog)?;
        Ok(TcpListener {
            sock: Socket::new(fd)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// A connection that died in the queue before it was accepted (the client reset it:
    /// `ECONNABORTED`; a protocol error: `EPROTO`) is skipped: `accept` goes on to the
    /// next one, as Go's and libuv's accept loops do, and never returns those errors.
    ///
    /// If the process is out of file descriptors or memory (`EMFILE`, `ENFILE`,
    /// `ENOBUFS`, `ENOMEM`), that error comes back at once; the connection stays queued.
    /// A server should log it, sleep a little (`evloop::time::sleep`, some milliseconds)
    /// and call `accept` again rather than exit or retry in a tight loop. Any other error
    /// (`EPERM` from a firewall rule, say) concerns one connection: log it and accept
    /// again. A server that exits on an accept error lets one client stop it for all.
    ///
    /// ```
    /// use evloop_net::{TcpListener, TcpStream};
    ///
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (_conn, peer) = listener.accept().await.unwrap();
    ///     assert_eq!(peer, client.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `accept4`, or of registering the new socket.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: `Pending` (with `cx`'s waker parked) until one is queued.
    /// This is [`accept`](Self::accept) for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    ///
    /// evloop_executor::run(async {
    ///     let listener = evloop_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     let _client = evloop_net::TcpStream::connect(addr).await.unwrap();
    ///     let (_conn, _peer) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    /// As for [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.sock
            .poll_io(Direction::Read, cx, sys::accept)
            .map(|res| {
                let (fd, peer) = res?;
                let peer = sys::inet::from_raw(&peer)?;
                Ok((TcpStream::from_socket(Socket::new(fd)?), peer))
            })
    }

    /// The address the listener is bound to (with the real port if it bound to port 0).
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let listener = evloop_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     assert!(listener.local_addr().unwrap().ip().is_loopback());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname` (in practice none).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.local_addr()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_socket(
            f,
            "TcpListener",
            self.sock.fd(),
            self.sock.local_addr(),
            self.sock.peer_addr(),
        )
    }
}
