//! [`TcpStream`]: a connected TCP socket whose reads and writes wait on the reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use evloop_reactor::Direction;

use crate::addr::{resolve, try_each, ToSocketAddrs};
use crate::io::Socket;
use crate::split::{OwnedReadHalf, OwnedWriteHalf};
use crate::sys;

/// A TCP connection, like the `(reader, writer)` pair of asyncio's `open_connection`.
///
/// Made by [`TcpStream::connect`] or [`TcpListener::accept`](crate::TcpListener::accept).
/// Reads and writes suspend the task, not the thread, while the socket is not ready.
/// Dropping the stream deregisters it and closes the socket.
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
pub struct TcpStream {
    /// The registered, connected socket.
    sock: Socket,
}

impl TcpStream {
    /// Wraps an already connected, registered socket (from `accept`).
    pub(crate) fn from_socket(sock: Socket) -> TcpStream {
        TcpStream { sock }
    }

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
        TcpStream::connect_fd(sys::socket(sys::domain_of(&addr), libc::SOCK_STREAM)?, addr).await
    }

    /// Connects the fresh non-blocking stream socket `fd` (set up by the caller, as
    /// `TcpSocket` does) to `addr`.
    pub(crate) async fn connect_fd(fd: OwnedFd, addr: SocketAddr) -> io::Result<TcpStream> {
        let sock = Socket::new(fd)?;
        match sys::connect(sock.fd(), &addr) {
            Ok(()) => return Ok(TcpStream { sock }),
            Err(e)
                if e.raw_os_error() == Some(libc::EINPROGRESS)
                    || e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        poll_fn(|cx| loop {
            ready!(sock.poll_ready(Direction::Write, cx))?;
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
        Ok(TcpStream { sock })
    }

    /// Reads into `buf`, waiting until at least one byte is there; `Ok(0)` means the peer
    /// closed its side (or `buf` is empty).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     client.write_all(b"abc").await.unwrap();
    ///     drop(client);
    ///     let mut buf = [0; 16];
    ///     assert_eq!(server.read(&mut buf).await.unwrap(), 3);
    ///     assert_eq!(server.read(&mut buf).await.unwrap(), 0); // EOF
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `ConnectionReset`.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf).await
    }

    /// Reads exactly `buf.len()` bytes.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     client.write_all(b"hello").await.unwrap();
    ///     let mut buf = [0; 5];
    ///     server.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(&buf, b"hello");
    /// });
    /// ```
    ///
    /// # Errors
    /// [`io::ErrorKind::UnexpectedEof`] if the peer closes first; otherwise the OS error.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.sock.read_exact(buf).await
    }

    /// Writes some of `buf` and says how much, waiting until the send buffer has room.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let n = client.write(b"some bytes").await.unwrap();
    ///     assert!(n > 0);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `BrokenPipe` once the peer is gone (never a `SIGPIPE`).
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf).await
    }

    /// Writes all of `buf`. While the peer reads slower than this task writes, the task
    /// suspends on each full send buffer: that is TCP's backpressure, and memory stays
    /// bounded.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     let reader = evloop_executor::spawn(async move {
    ///         let mut buf = vec![0; 1 << 20];
    ///         server.read_exact(&mut buf).await.map(|()| buf)
    ///     });
    ///     client.write_all(&vec![7; 1 << 20]).await.unwrap();
    ///     assert!(reader.await.unwrap().unwrap().iter().all(|&b| b == 7));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error; [`io::ErrorKind::WriteZero`] if the socket accepts nothing.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sock.write_all(buf).await
    }

    /// Does nothing: a TCP stream has no user-space buffer, every `write` goes to the
    /// kernel. It exists so code written for buffered writers works unchanged.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     client.write_all(b"x").await.unwrap();
    ///     client.flush().await.unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    /// None.
    pub async fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Shuts down the reading, writing or both halves of the connection.
    /// `Shutdown::Write` sends a FIN: the peer reads to EOF, and can still write back.
    ///
    /// ```
    /// use std::net::Shutdown;
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     client.write_all(b"request").await.unwrap();
    ///     client.shutdown(Shutdown::Write).unwrap();
    ///     let mut request = Vec::new();
    ///     let mut buf = [0; 64];
    ///     loop {
    ///         match server.read(&mut buf).await.unwrap() {
    ///             0 => break,
    ///             n => request.extend_from_slice(&buf[..n]),
    ///         }
    ///     }
    ///     server.write_all(b"reply").await.unwrap();
    ///     let mut reply = [0; 5];
    ///     client.read_exact(&mut reply).await.unwrap();
    ///     assert_eq!((&request[..], &reply), (&b"request"[..], b"reply"));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `NotConnected`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.sock.shutdown(how)
    }

    /// The address of the peer.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(client.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getpeername`, e.g. `NotConnected`.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.peer_addr()
    }

    /// The local address of this end.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (server, _) = listener.accept().await.unwrap();
    ///     assert_eq!(client.local_addr().unwrap(), server.peer_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.local_addr()
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

    /// Splits the stream into a read half and a write half that can move into two tasks
    /// (a reader and a writer working at the same time). The socket closes when both
    /// halves are dropped.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut rd, mut wr) = client.into_split();
    ///     let writer = evloop_executor::spawn(async move { wr.write_all(b"one").await });
    ///     let mut buf = [0; 3];
    ///     server.read_exact(&mut buf).await.unwrap();
    ///     server.write_all(b"two").await.unwrap();
    ///     rd.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(&buf, b"two");
    ///     writer.await.unwrap().unwrap();
    /// });
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let sock = Rc::new(self.sock);
        (OwnedReadHalf::new(sock.clone()), OwnedWriteHalf::new(sock))
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpStream").field(&self.sock).finish()
    }
}

impl futures_io::AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.sock.poll_read(cx, buf)
    }
}

impl futures_io::AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.sock.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts down the write direction (sends a FIN).
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.sock.shutdown(Shutdown::Write))
    }
}
