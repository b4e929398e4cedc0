//! [`UnixStream`]: a connected Unix stream socket, `Stream<Unix>`: how it connects, pairs
//! and learns its peer's credentials (the reads and writes are [`Stream`]'s).

use std::cmp;
use std::io;
use std::path::Path;
use std::time::Duration;

use crate::family::Unix;
use crate::io::Socket;
use crate::stream::Stream;
use crate::sys;
use crate::ucred::UCred;
use crate::unix_path;

/// A connection on a Unix socket, like the `(reader, writer)` pair of asyncio's
/// `open_unix_connection`: local IPC, a database's socket (`/run/postgresql/.s.PGSQL.5432`),
/// Docker's, your own daemon's.
///
/// Made by [`UnixStream::connect`], [`UnixStream::pair`] or
/// [`UnixListener::accept`](crate::UnixListener::accept). Its reads, writes, addresses
/// and [`into_split`](Stream::into_split) are [`Stream`]'s, shared with
/// [`TcpStream`](crate::TcpStream); the halves are
/// [`unix::OwnedReadHalf`](crate::unix::OwnedReadHalf) and
/// [`unix::OwnedWriteHalf`](crate::unix::OwnedWriteHalf).
///
/// ```
/// use evloop_net::{UnixListener, UnixStream};
///
/// evloop_executor::run(async {
///     let name = format!("\0evloop-stream-{}", std::process::id()); // abstract: no file
///     let listener = UnixListener::bind(&name)?;
///     let mut client = UnixStream::connect(&name).await?;
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
pub type UnixStream = Stream<Unix>;

/// The longest pause between two connect attempts while the listener's backlog is full.
const MAX_BACKOFF: Duration = Duration::from_millis(64);

impl Stream<Unix> {
    /// Connects to the socket at `path` (a name starting with `'\0'`: the abstract
    /// namespace).
    ///
    /// A Unix connect completes at once, except when the listener's backlog is full: then
    /// the task retries after a pause (1 ms, doubling up to 64 ms) until the server has
    /// accepted enough to make room. Wrap it in `evloop::time::timeout` to give up.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use evloop_net::UnixStream;
    ///
    /// evloop_executor::run(async {
    ///     let missing = std::env::temp_dir().join("evloop-nobody-listens-here.sock");
    ///     let err = UnixStream::connect(&missing).await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("evloop-nobody-listens-here.sock"));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error with the path in its message: `NotFound` (no socket there),
    /// `ConnectionRefused` (a socket file nobody listens on: a stale one),
    /// `PermissionDenied`; [`io::ErrorKind::InvalidInput`] for a path too long for a
    /// socket address. Outside a running loop, an error saying so.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = path.as_ref();
        let raw = unix_path::to_raw(path)?;
        let sock = Socket::new(sys::socket(libc::AF_UNIX, libc::SOCK_STREAM)?)?;
        let mut pause = Duration::from_millis(1);
        loop {
            match sys::connect(sock.fd(), &raw) {
                Ok(()) => return Ok(UnixStream::from_socket(sock)),
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                    evloop_time::sleep(pause).await;
                    pause = cmp::min(pause * 2, MAX_BACKOFF);
                }
                Err(e) => return Err(unix_path::context(e, "cannot connect to", path)),
            }
        }
    }

    /// Two connected Unix stream sockets, like Python's `socket.socketpair()`: a
    /// bidirectional channel between two tasks, or, passed to a child process, between
    /// two processes. No `.await`: nothing to wait for.
    ///
    /// ```
    /// use evloop_net::UnixStream;
    ///
    /// evloop_executor::run(async {
    ///     let (mut a, mut b) = UnixStream::pair()?;
    ///     a.write_all(b"ping").await?;
    ///     let mut buf = [0; 4];
    ///     b.read_exact(&mut buf).await?;
    ///     b.write_all(b"pong").await?;
    ///     a.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"pong");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `socketpair` (e.g. `EMFILE`), or outside a running loop.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = sys::socketpair(libc::SOCK_STREAM)?;
        Ok((
            UnixStream::from_socket(Socket::new(a)?),
            UnixStream::from_socket(Socket::new(b)?),
        ))
    }

    /// The credentials of the process at the other end (`SO_PEERCRED`): who connected
    /// (or created the pair), as of that moment. A server uses it to authorize a local
    /// client by user, as PostgreSQL's `peer` authentication does.
    ///
    /// ```
    /// use evloop_net::UnixStream;
    ///
    /// evloop_executor::run(async {
    ///     let (a, _b) = UnixStream::pair()?;
    ///     let cred = a.peer_cred()?;
    ///     assert_eq!(cred.pid(), Some(std::process::id() as i32)); // ourselves
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn peer_cred(&self) -> io::Result<UCred> {
        sys::peer_cred(self.sock.fd()).map(UCred::from_raw)
    }
}
