//! [`UnixListener`]: a listening Unix stream socket whose `accept` waits on the reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;
use std::task::{Context, Poll};

use evloop_reactor::Direction;

use crate::io::{fmt_socket, Socket};
use crate::sys::{self, Name};
use crate::tcp_listener::BACKLOG;
use crate::unix_addr::SocketAddr;
use crate::unix_path;
use crate::unix_stream::UnixStream;

/// A Unix stream socket listening for connections, like the server asyncio's
/// `start_unix_server` creates: local IPC through a socket file (a database's, Docker's,
/// your own daemon's), or a name in Linux's abstract namespace.
///
/// Non-blocking and close-on-exec, with a backlog of 4096. Dropping it stops listening
/// and closes it, but leaves the socket file on disk (as tokio and std do): remove it
/// when the server is done, or a later bind to the same path fails.
///
/// ```
/// use evloop_net::{UnixListener, UnixStream};
///
/// evloop_executor::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-doc-{}.sock", std::process::id()));
///     # let _ = std::fs::remove_file(&path);
///     let listener = UnixListener::bind(&path)?;
///     let client = evloop_executor::spawn({
///         let path = path.clone();
///         async move { UnixStream::connect(&path).await?.write_all(b"hi").await }
///     });
///     let (mut conn, _peer) = listener.accept().await?;
///     let mut buf = [0; 2];
///     conn.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     client.await.unwrap()?;
///     std::fs::remove_file(&path)
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixListener {
    /// The registered listening socket; it is readable when a connection waits.
    sock: Socket,
}

impl UnixListener {
    /// Binds a listening socket to `path`. A path that starts with `'\0'` is a name in
    /// Linux's abstract namespace: nothing is created on disk, and the name goes away
    /// with the socket.
    ///
    /// No `.await`: creating a socket file does not wait on the network.
    ///
    /// ```
    /// use evloop_net::UnixListener;
    ///
    /// evloop_executor::run(async {
    ///     let path = std::env::temp_dir().join(format!("evloop-bind-{}.sock", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let first = UnixListener::bind(&path).unwrap();
    ///     // The path is taken while the socket file is there:
    ///     let err = UnixListener::bind(&path).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    ///     assert!(err.to_string().contains("another server listens on it"));
    ///     drop(first);
    ///     std::fs::remove_file(&path).unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    /// [`io::ErrorKind::AddrInUse`] if something is at `path` already, with a message
    /// naming the path and saying whether a server listens there or a stale socket file
    /// is in the way (then remove it and bind again); [`io::ErrorKind::InvalidInput`] for
    /// a path too long for a socket address (107 bytes); the OS error otherwise (e.g.
    /// `NotFound` for a missing directory), with the path in the message. Outside a
    /// running loop, an error saying so.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = path.as_ref();
        let raw = unix_path::to_raw(path)?;
        let fd = sys::socket(libc::AF_UNIX, libc::SOCK_STREAM)?;
        sys::bind(fd.as_raw_fd(), &raw).map_err(|e| {
            if e.kind() == io::ErrorKind::AddrInUse {
                unix_path::in_use(e, path)
            } else {
                unix_path::context(e, "cannot bind", path)
            }
        })?;
        sys::listen(fd.as_raw_fd(), BACKLOG)
            .map_err(|e| unix_path::context(e, "cannot listen on", path))?;
        Ok(UnixListener {
            sock: Socket::new(fd)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address (usually
    /// [unnamed](SocketAddr::is_unnamed): clients seldom bind).
    ///
    /// As with TCP, `EMFILE` (out of file descriptors) comes back at once and the
    /// connection stays queued: back off and accept again.
    ///
    /// ```
    /// use evloop_net::{UnixListener, UnixStream};
    ///
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-accept-{}", std::process::id());
    ///     let listener = UnixListener::bind(&name).unwrap();
    ///     let _client = UnixStream::connect(&name).await.unwrap();
    ///     let (_conn, peer) = listener.accept().await.unwrap();
    ///     assert!(peer.is_unnamed());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `accept4`, or of registering the new socket.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: `Pending` (with `cx`'s waker parked) until one is queued.
    /// This is [`accept`](Self::accept) for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use evloop_net::{UnixListener, UnixStream};
    ///
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-poll-accept-{}", std::process::id());
    ///     let listener = UnixListener::bind(&name).unwrap();
    ///     let _client = UnixStream::connect(&name).await.unwrap();
    ///     let (_conn, _peer) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    /// As for [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        self.sock
            .poll_io(Direction::Read, cx, sys::accept)
            .map(|res| {
                let (fd, peer) = res?;
                let peer = SocketAddr::from_raw(&peer)?;
                Ok((UnixStream::from_socket(Socket::new(fd)?), peer))
            })
    }

    /// The address the listener is bound to.
    ///
    /// ```
    /// use evloop_net::UnixListener;
    ///
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-local-{}", std::process::id());
    ///     let listener = UnixListener::bind(&name).unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname` (in practice none).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        SocketAddr::from_raw(&self.sock.raw_name(Name::Local)?)
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let none: io::Result<SocketAddr> = Err(io::ErrorKind::NotConnected.into());
        fmt_socket(f, "UnixListener", self.sock.fd(), self.local_addr(), none)
    }
}
