//! [`Stream`]: a connected stream socket whose reads and writes wait on the reactor; the
//! I/O that [`TcpStream`](crate::TcpStream) and [`UnixStream`](crate::UnixStream) (and
//! their [halves](crate::OwnedReadHalf)) share, written once.

use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::family::Family;
use crate::io::{fmt_socket, Socket};
use crate::split::{OwnedReadHalf, OwnedWriteHalf};
use crate::sys::Name;

/// A connected stream socket of family `F`: [`TcpStream`](crate::TcpStream) (`F` =
/// [`Tcp`](crate::family::Tcp)) or [`UnixStream`](crate::UnixStream) (`F` =
/// [`Unix`](crate::family::Unix)).
///
/// The methods here are the ones both share: reading, writing, shutting down, addresses
/// and [`into_split`](Stream::into_split); each alias adds its constructors and options.
/// Reads and writes suspend the task, not the thread, while the socket is not ready.
/// Dropping the stream deregisters it and closes the socket. `futures_io::AsyncRead`
/// and `AsyncWrite` are implemented, so `futures::io` adapters work on either.
///
/// ```
/// use evloop_net::{Stream, TcpListener, TcpStream, UnixStream};
/// use evloop_net::family::Family;
///
/// /// Any stream: sends a greeting.
/// async fn greet<F: Family>(stream: &mut Stream<F>) -> std::io::Result<()> {
///     stream.write_all(b"hello").await
/// }
///
/// evloop_executor::run(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     greet(&mut a).await?;
///     let mut buf = [0; 5];
///     b.read_exact(&mut buf).await?;
///
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     greet(&mut client).await?;
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hello");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Stream<F: Family> {
    /// The registered, connected socket.
    pub(crate) sock: Socket,
    /// The family: which addresses, and whether a short read means drained.
    family: PhantomData<fn() -> F>,
}

impl<F: Family> Stream<F> {
    /// Wraps a connected, registered socket (from `connect`, `accept` or `pair`).
    pub(crate) fn from_socket(mut sock: Socket) -> Stream<F> {
        if F::COMPLETION_IO {
            sock.use_completion_io();
        }
        Stream {
            sock,
            family: PhantomData,
        }
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
        self.sock.read(buf, F::SHORT_READ_DRAINS).await
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
        self.sock.read_exact(buf, F::SHORT_READ_DRAINS).await
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
    /// suspends on each full send buffer: that is the stream's backpressure, and memory
    /// stays bounded.
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

    /// Waits until every byte written has reached the kernel. On readiness backends that
    /// is at once (every `write` is a `send`); on io_uring, where a TCP stream's writes
    /// are copied into a runtime-owned buffer and sent with the loop's next
    /// `io_uring_enter`, it waits for those sends to complete.
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
    /// On io_uring, the OS error a send met (`BrokenPipe`, `ConnectionReset`).
    pub async fn flush(&mut self) -> io::Result<()> {
        self.sock.flush().await
    }

    /// Shuts down the reading, writing or both halves of the connection.
    /// `Shutdown::Write` sends a FIN (TCP) or end of stream (Unix): the peer reads to
    /// EOF, and can still write back.
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
    ///     let (server, _) = listener.accept().await.unwrap();
    ///     assert_eq!(client.local_addr().unwrap(), server.peer_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS error of `getsockname`.
    pub fn local_addr(&self) -> io::Result<F::Addr> {
        F::decode(&self.sock.raw_name(Name::Local)?)
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
    pub fn into_split(self) -> (OwnedReadHalf<F>, OwnedWriteHalf<F>) {
        let sock = Rc::new(self.sock);
        (OwnedReadHalf::new(sock.clone()), OwnedWriteHalf::new(sock))
    }

    /// Polls a read into `buf`: the poll form of [`read`](Self::read), which
    /// `futures_io::AsyncRead` (and any other I/O trait) is written on.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use evloop_net::UnixStream;
    ///
    /// evloop_executor::run(async {
    ///     let (mut a, b) = UnixStream::pair()?;
    ///     a.write_all(b"poll").await?;
    ///     let mut buf = [0; 4];
    ///     let n = poll_fn(|cx| b.poll_read(cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"poll");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`read`](Self::read).
    pub fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.sock.poll_read(cx, buf, F::SHORT_READ_DRAINS)
    }

    /// Polls a write from `buf`: the poll form of [`write`](Self::write).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use evloop_net::UnixStream;
    ///
    /// evloop_executor::run(async {
    ///     let (a, mut b) = UnixStream::pair()?;
    ///     let n = poll_fn(|cx| a.poll_write(cx, b"poll")).await?;
    ///     let mut buf = [0; 4];
    ///     b.read_exact(&mut buf[..n]).await?;
    ///     assert_eq!(&buf, b"poll");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`write`](Self::write).
    pub fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.sock.poll_write(cx, buf)
    }
}

impl<F: Family> AsRawFd for Stream<F> {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl<F: Family> fmt::Debug for Stream<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_socket(
            f,
            F::NAME,
            self.sock.fd(),
            self.local_addr(),
            self.peer_addr(),
        )
    }
}

impl<F: Family> futures_io::AsyncRead for Stream<F> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Stream::poll_read(&self, cx, buf)
    }
}

impl<F: Family> futures_io::AsyncWrite for Stream<F> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Stream::poll_write(&self, cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.sock.poll_flush(cx)
    }

    /// Flushes, then shuts down the write direction (the peer reads EOF).
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.sock.poll_close(cx)
    }
}
