//! [`EvloopIo`]: an evloop socket (any `futures_io` stream) as hyper's `rt::Read` and
//! `rt::Write`.

use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::ReadBufCursor;

/// The size of the per-thread buffer reads land in before they are copied into hyper's.
const SCRATCH_LEN: usize = 64 * 1024;

thread_local! {
    /// One read buffer per thread, lent to one `poll_read` at a time. A loop runs on one
    /// thread, so one buffer serves all of its connections.
    static SCRATCH: Cell<Option<Box<[u8]>>> = const { Cell::new(None) };
}

/// Wraps an evloop [`TcpStream`](../evloop/net/struct.TcpStream.html) (or any
/// `futures_io::AsyncRead + AsyncWrite`, such as its split halves) so that hyper can use
/// it as a connection: it implements [`hyper::rt::Read`] and [`hyper::rt::Write`].
///
/// hyper hands reads an uninitialised buffer; `EvloopIo` reads into a per-thread
/// scratch buffer and copies only the bytes received, so it needs no `unsafe` and
/// costs one copy of the data (a few dozen bytes for a typical request) per read.
/// Writes go straight to the stream; vectored writes are left to hyper, which then
/// joins headers and body into one buffer and so one `send`.
///
/// ```
/// use evloop::net::{TcpListener, TcpStream};
/// use evloop_hyper::EvloopIo;
///
/// evloop::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let client = TcpStream::connect(listener.local_addr()?).await?;
///     let io = EvloopIo::new(client);
///     assert!(io.get_ref().peer_addr().is_ok());
///     // hand `io` to `hyper::server::conn::http1::Builder::serve_connection`
///     // or `hyper::client::conn::http1::handshake`
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct EvloopIo<T> {
    /// The wrapped stream.
    inner: T,
}

impl<T> EvloopIo<T> {
    /// Wraps `inner`.
    ///
    /// ```
    /// # evloop::run(async {
    /// let listener = evloop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let stream = evloop::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// let io = evloop_hyper::EvloopIo::new(stream);
    /// # drop(io);
    /// # });
    /// ```
    pub fn new(inner: T) -> EvloopIo<T> {
        EvloopIo { inner }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let io = evloop_hyper::EvloopIo::new(vec![1u8, 2, 3]);
    /// assert_eq!(io.get_ref().len(), 3);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably (reading or writing through it bypasses hyper's
    /// buffers: only do so before or after hyper uses the connection).
    ///
    /// ```
    /// let mut io = evloop_hyper::EvloopIo::new(vec![1u8]);
    /// io.get_mut().push(2);
    /// assert_eq!(io.into_inner(), [1, 2]);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream (after an HTTP upgrade, for instance).
    ///
    /// ```
    /// let io = evloop_hyper::EvloopIo::new("a stream");
    /// assert_eq!(io.into_inner(), "a stream");
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for EvloopIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        // Borrow the thread's scratch buffer; a nested read (a stream that itself reads
        // through an `EvloopIo`) finds it lent out and gets a fresh one.
        let mut scratch = SCRATCH
            .take()
            .unwrap_or_else(|| vec![0; SCRATCH_LEN].into_boxed_slice());
        let len = buf.remaining().min(scratch.len());
        let polled = Pin::new(&mut self.get_mut().inner).poll_read(cx, &mut scratch[..len]);
        if let Poll::Ready(Ok(n)) = polled {
            buf.put_slice(&scratch[..n]);
        }
        SCRATCH.set(Some(scratch));
        polled.map_ok(drop)
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for EvloopIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    /// Flushes, then shuts down the write direction (for a TCP stream: sends a FIN).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let inner = &mut self.get_mut().inner;
        ready!(Pin::new(&mut *inner).poll_flush(cx))?;
        Pin::new(inner).poll_close(cx)
    }
}
