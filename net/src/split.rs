//! [`OwnedReadHalf`] and [`OwnedWriteHalf`]: a [`Stream`](crate::Stream) (TCP or Unix)
//! split for a reader task and a writer task.
//!
//! Both halves share the socket through an `Rc` (everything runs on the loop's one
//! thread). They never contend: the registration keeps one waker per direction, so the
//! reader parks on read readiness and the writer on write readiness independently. Their
//! I/O is the stream's own (`Socket`'s poll loops), for either family.

use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::family::{Family, Tcp};
use crate::io::{fmt_socket, Socket};
use crate::sys::Name;

/// The reading half of a [`Stream`](crate::Stream), from
/// [`into_split`](crate::Stream::into_split). `OwnedReadHalf` alone is TCP's;
/// [`unix::OwnedReadHalf`](crate::unix::OwnedReadHalf) is a Unix stream's.
///
/// ```
/// # use evloop_net::{TcpListener, TcpStream};
/// evloop_executor::run(async {
/// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// #   let (mut server, _) = listener.accept().await.unwrap();
///     let (mut rd, _wr) = client.into_split();
///     server.write_all(b"hi").await.unwrap();
///     let mut buf = [0; 2];
///     rd.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hi");
/// });
/// ```
pub struct OwnedReadHalf<F: Family = Tcp> {
    /// The socket, shared with the write half; closed when both are dropped.
    sock: Rc<Socket>,
    /// The family: which addresses, and whether a short read means drained.
    family: PhantomData<fn() -> F>,
}

/// The writing half of a [`Stream`](crate::Stream), from
/// [`into_split`](crate::Stream::into_split). `OwnedWriteHalf` alone is TCP's;
/// [`unix::OwnedWriteHalf`](crate::unix::OwnedWriteHalf) is a Unix stream's.
///
/// Dropping it does not shut the connection down; call
/// [`shutdown`](OwnedWriteHalf::shutdown) to send a FIN while the read half lives on.
///
/// ```
/// # use evloop_net::{TcpListener, TcpStream};
/// evloop_executor::run(async {
/// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
/// #   let (mut server, _) = listener.accept().await.unwrap();
///     let (_rd, mut wr) = client.into_split();
///     wr.write_all(b"hi").await.unwrap();
///     let mut buf = [0; 2];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hi");
/// });
/// ```
pub struct OwnedWriteHalf<F: Family = Tcp> {
    /// The socket, shared with the read half; closed when both are dropped.
    sock: Rc<Socket>,
    /// The family: which addresses.
    family: PhantomData<fn() -> F>,
}

impl<F: Family> OwnedReadHalf<F> {
    /// Wraps the shared socket.
    pub(crate) fn new(sock: Rc<Socket>) -> OwnedReadHalf<F> {
        OwnedReadHalf {
            sock,
            family: PhantomData,
        }
    }

    /// Reads into `buf`; `Ok(0)` is EOF. As [`Stream::read`](crate::Stream::read).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (server, _) = listener.accept().await.unwrap();
    ///     let (mut rd, _wr) = client.into_split();
    ///     drop(server);
    ///     assert_eq!(rd.read(&mut [0; 8]).await.unwrap(), 0);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `ConnectionReset`.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf, F::SHORT_READ_DRAINS).await
    }

    /// Reads exactly `buf.len()` bytes. As [`Stream::read_exact`](crate::Stream::read_exact).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut rd, _wr) = client.into_split();
    ///     server.write_all(b"abcd").await.unwrap();
    ///     let mut buf = [0; 4];
    ///     rd.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(&buf, b"abcd");
    /// });
    /// ```
    ///
    /// # Errors
    /// [`io::ErrorKind::UnexpectedEof`] if the peer closes first; otherwise the OS error.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.sock.read_exact(buf, F::SHORT_READ_DRAINS).await
    }

    /// The address of the peer.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (rd, _wr) = client.into_split();
    ///     assert_eq!(rd.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getpeername`.
    pub fn peer_addr(&self) -> io::Result<F::Addr> {
        F::decode(&self.sock.raw_name(Name::Peer)?)
    }

    /// The local address of this end.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (rd, _wr) = client.into_split();
    ///     assert!(rd.local_addr().unwrap().ip().is_loopback());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<F::Addr> {
        F::decode(&self.sock.raw_name(Name::Local)?)
    }
}

impl<F: Family> OwnedWriteHalf<F> {
    /// Wraps the shared socket.
    pub(crate) fn new(sock: Rc<Socket>) -> OwnedWriteHalf<F> {
        OwnedWriteHalf {
            sock,
            family: PhantomData,
        }
    }

    /// Writes some of `buf`. As [`Stream::write`](crate::Stream::write).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (_rd, mut wr) = client.into_split();
    ///     assert_eq!(wr.write(b"abc").await.unwrap(), 3);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error, e.g. `BrokenPipe`.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf).await
    }

    /// Writes all of `buf`. As [`Stream::write_all`](crate::Stream::write_all).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     let (_rd, mut wr) = client.into_split();
    ///     wr.write_all(b"abc").await.unwrap();
    ///     let mut buf = [0; 3];
    ///     server.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!(&buf, b"abc");
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error; [`io::ErrorKind::WriteZero`] if the socket accepts nothing.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sock.write_all(buf).await
    }

    /// Waits until every byte written has reached the kernel (at once but on io_uring:
    /// see [`Stream::flush`](crate::Stream::flush)).
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (_rd, mut wr) = client.into_split();
    ///     wr.flush().await.unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    /// On io_uring, the OS error a send met (`BrokenPipe`, `ConnectionReset`).
    pub async fn flush(&mut self) -> io::Result<()> {
        self.sock.flush().await
    }

    /// Shuts down the write direction: the peer reads EOF, the read half keeps reading.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    /// #   let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// #   let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #   let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut rd, wr) = client.into_split();
    ///     wr.shutdown().unwrap();
    ///     assert_eq!(server.read(&mut [0; 8]).await.unwrap(), 0);
    ///     server.write_all(b"still open").await.unwrap();
    ///     let mut buf = [0; 10];
    ///     rd.read_exact(&mut buf).await.unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `shutdown`, e.g. `NotConnected`.
    pub fn shutdown(&self) -> io::Result<()> {
        self.sock.shutdown(Shutdown::Write)
    }

    /// The address of the peer.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (_rd, wr) = client.into_split();
    ///     assert_eq!(wr.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getpeername`.
    pub fn peer_addr(&self) -> io::Result<F::Addr> {
        F::decode(&self.sock.raw_name(Name::Peer)?)
    }

    /// The local address of this end.
    ///
    /// ```
    /// # use evloop_net::{TcpListener, TcpStream};
    /// evloop_executor::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (_rd, wr) = client.into_split();
    ///     assert!(wr.local_addr().unwrap().ip().is_loopback());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<F::Addr> {
        F::decode(&self.sock.raw_name(Name::Local)?)
    }
}

impl<F: Family> AsRawFd for OwnedReadHalf<F> {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl<F: Family> AsRawFd for OwnedWriteHalf<F> {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl<F: Family> fmt::Debug for OwnedReadHalf<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_socket(
            f,
            "OwnedReadHalf",
            self.sock.fd(),
            self.local_addr(),
            self.peer_addr(),
        )
    }
}

impl<F: Family> fmt::Debug for OwnedWriteHalf<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_socket(
            f,
            "OwnedWriteHalf",
            self.sock.fd(),
            self.local_addr(),
            self.peer_addr(),
        )
    }
}

impl<F: Family> futures_io::AsyncRead for OwnedReadHalf<F> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.sock.poll_read(cx, buf, F::SHORT_READ_DRAINS)
    }
}

impl<F: Family> futures_io::AsyncWrite for OwnedWriteHalf<F> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.sock.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.sock.poll_flush(cx)
    }

    /// Flushes, then shuts down the write direction (the peer reads EOF).
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.sock.poll_close(cx)
    }
}
