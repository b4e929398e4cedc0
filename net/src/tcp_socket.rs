//! [`TcpSocket`]: a TCP socket set up by hand before it listens or connects.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::sys;
use crate::tcp_listener::TcpListener;
use crate::tcp_stream::TcpStream;

/// A TCP socket not yet listening or connected, for the options that must be set before
/// (tokio's `TcpSocket`, Python's `socket.socket` + `setsockopt` before
/// `loop.create_server(sock=...)`).
///
/// The main use is thread-per-core servers: with [`set_reuseport`](Self::set_reuseport),
/// every loop of [`evloop::run_per_core`](../evloop/fn.run_per_core.html) binds its own
/// listener to the same port, and the kernel spreads incoming connections across them.
///
/// ```
/// use evloop_net::{TcpSocket, TcpStream};
///
/// evloop_executor::run(async {
///     // Two listeners on one port, as two loops would bind them.
///     let first = TcpSocket::new_v4()?;
///     first.set_reuseport(true)?;
///     first.bind("127.0.0.1:0".parse().unwrap())?;
///     let addr = first.local_addr()?;
///     let second = TcpSocket::new_v4()?;
///     second.set_reuseport(true)?;
///     second.bind(addr)?;
///     let (a, b) = (first.listen(1024)?, second.listen(1024)?);
///     assert_eq!(a.local_addr()?, b.local_addr()?);
///     let _client = TcpStream::connect(addr).await?;
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpSocket {
    /// The socket (non-blocking, close-on-exec), not registered with a loop until it
    /// listens or connects.
    fd: OwnedFd,
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert!(socket.local_addr()?.is_ipv4());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `socket` (out of file descriptors, say).
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(libc::AF_INET)
    }

    /// A new IPv6 TCP socket.
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v6()?;
    /// # if socket.bind("[::1]:0".parse().unwrap()).is_ok() { // ::1 exists on this machine
    /// assert!(socket.local_addr()?.is_ipv6());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `socket` (no IPv6 in this kernel, say).
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(libc::AF_INET6)
    }

    /// A new TCP socket of `domain`.
    fn new(domain: libc::c_int) -> io::Result<TcpSocket> {
        Ok(TcpSocket {
            fd: sys::socket(domain, libc::SOCK_STREAM)?,
        })
    }

    /// Sets `SO_REUSEADDR`: bind to a port that connections of an earlier process still
    /// hold in `TIME_WAIT` (what `TcpListener::bind` always does).
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.set_reuseaddr(true)?;
    /// assert!(socket.reuseaddr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`.
    pub fn set_reuseaddr(&self, reuse: bool) -> io::Result<()> {
        self.set_flag(libc::SOL_SOCKET, libc::SO_REUSEADDR, reuse)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// ```
    /// assert!(!evloop_net::TcpSocket::new_v4()?.reuseaddr()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.flag(libc::SOL_SOCKET, libc::SO_REUSEADDR)
    }

    /// Sets `SO_REUSEPORT`: several sockets (of this process and user) may bind the same
    /// address and port, and the kernel spreads incoming connections across those that
    /// listen. Set it on every one of them before `bind`.
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.set_reuseport(true)?;
    /// assert!(socket.reuseport()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`.
    pub fn set_reuseport(&self, reuse: bool) -> io::Result<()> {
        self.set_flag(libc::SOL_SOCKET, libc::SO_REUSEPORT, reuse)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// ```
    /// assert!(!evloop_net::TcpSocket::new_v4()?.reuseport()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn reuseport(&self) -> io::Result<bool> {
        self.flag(libc::SOL_SOCKET, libc::SO_REUSEPORT)
    }

    /// Sets `TCP_NODELAY` (no Nagle delay for small writes) on the socket, which a
    /// connected stream keeps.
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.set_nodelay(true)?;
    /// assert!(socket.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.set_flag(libc::IPPROTO_TCP, libc::TCP_NODELAY, nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// ```
    /// assert!(!evloop_net::TcpSocket::new_v4()?.nodelay()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.flag(libc::IPPROTO_TCP, libc::TCP_NODELAY)
    }

    /// Sets the kernel's send buffer size (`SO_SNDBUF`); Linux doubles the value for its
    /// bookkeeping, and [`send_buffer_size`](Self::send_buffer_size) reports the doubled one.
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.set_send_buffer_size(64 * 1024)?;
    /// assert!(socket.send_buffer_size()? >= 64 * 1024);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`; `InvalidInput` above `i32::MAX`.
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.set_size(libc::SO_SNDBUF, size)
    }

    /// The kernel's send buffer size (`SO_SNDBUF`).
    ///
    /// ```
    /// assert!(evloop_net::TcpSocket::new_v4()?.send_buffer_size()? > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.size(libc::SO_SNDBUF)
    }

    /// Sets the kernel's receive buffer size (`SO_RCVBUF`); Linux doubles the value, as
    /// for [`set_send_buffer_size`](Self::set_send_buffer_size).
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.set_recv_buffer_size(64 * 1024)?;
    /// assert!(socket.recv_buffer_size()? >= 64 * 1024);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `setsockopt`; `InvalidInput` above `i32::MAX`.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.set_size(libc::SO_RCVBUF, size)
    }

    /// The kernel's receive buffer size (`SO_RCVBUF`).
    ///
    /// ```
    /// assert!(evloop_net::TcpSocket::new_v4()?.recv_buffer_size()? > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockopt`.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.size(libc::SO_RCVBUF)
    }

    /// Binds the socket to `addr` (port 0: a free port, which
    /// [`local_addr`](Self::local_addr) tells).
    ///
    /// ```
    /// let socket = evloop_net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `bind` (`AddrInUse` without `SO_REUSEPORT` on every socket of the
    /// port, say).
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        sys::bind(self.fd.as_raw_fd(), &sys::inet::to_raw(&addr))
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sys::inet::from_raw(&sys::socket_name(self.fd.as_raw_fd(), sys::Name::Local)?)
    }

    /// Starts listening, with room for `backlog` finished handshakes not yet accepted
    /// (capped by the kernel's `net.core.somaxconn`), and registers the listener with this
    /// thread's loop.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let socket = evloop_net::TcpSocket::new_v4()?;
    ///     socket.bind("127.0.0.1:0".parse().unwrap())?;
    ///     let listener = socket.listen(128)?;
    ///     let client = evloop_net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_conn, peer) = listener.accept().await?;
    ///     assert_eq!(peer, client.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `listen`, or no loop runs on this thread.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let backlog = libc::c_int::try_from(backlog).unwrap_or(libc::c_int::MAX);
        TcpListener::listen_fd(self.fd, backlog)
    }

    /// Connects to `addr`, waiting on the loop until the handshake is done.
    ///
    /// ```
    /// evloop_executor::run(async {
    ///     let listener = evloop_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let socket = evloop_net::TcpSocket::new_v4()?;
    ///     socket.set_nodelay(true)?;
    ///     let stream = socket.connect(listener.local_addr()?).await?;
    ///     assert!(stream.nodelay()?); // the option set before connecting stays
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// The OS error of `connect` (`ConnectionRefused`, say), or no loop runs on this
    /// thread.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        TcpStream::connect_fd(self.fd, addr).await
    }

    /// Sets a boolean socket option.
    fn set_flag(&self, level: libc::c_int, name: libc::c_int, on: bool) -> io::Result<()> {
        sys::set_int_option(self.fd.as_raw_fd(), level, name, libc::c_int::from(on))
    }

    /// Reads a boolean socket option.
    fn flag(&self, level: libc::c_int, name: libc::c_int) -> io::Result<bool> {
        Ok(sys::int_option(self.fd.as_raw_fd(), level, name)? != 0)
    }

    /// Sets a buffer size option.
    fn set_size(&self, name: libc::c_int, size: u32) -> io::Result<()> {
        let size = libc::c_int::try_from(size).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("evloop: socket buffer size {size} is larger than i32::MAX"),
            )
        })?;
        sys::set_int_option(self.fd.as_raw_fd(), libc::SOL_SOCKET, name, size)
    }

    /// Reads a buffer size option.
    fn size(&self, name: libc::c_int) -> io::Result<u32> {
        let size = sys::int_option(self.fd.as_raw_fd(), libc::SOL_SOCKET, name)?;
        Ok(u32::try_from(size).unwrap_or(0))
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.fd.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}
