//! tokio's I/O traits on evloop's streams (the `tokio-io` feature; the crate docs say
//! what it is for and what it does not do).
//!
//! The tokio impls delegate to the `futures-io` ones: the same poll, the same readiness
//! handling, nothing of tokio's runtime. tokio reads into a possibly uninitialized
//! buffer ([`ReadBuf`]); a `futures-io` read takes an initialized `&mut [u8]`, so the
//! part of the buffer not yet initialized is zeroed before the read (once per region:
//! `ReadBuf` remembers what it initialized).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::ReadBuf;

use crate::family::Family;
use crate::{OwnedReadHalf, OwnedWriteHalf, Stream};

/// Reads through `reader`'s `futures-io` impl into tokio's `ReadBuf`.
fn poll_read_buf<R: futures_io::AsyncRead + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    let n = ready!(reader.poll_read(cx, buf.initialize_unfilled()))?;
    buf.advance(n);
    Poll::Ready(Ok(()))
}

/// `tokio::io::AsyncRead` for types that implement `futures_io::AsyncRead`, by delegation.
macro_rules! tokio_read {
    ($($reader:ident),+ $(,)?) => {$(
        impl<F: Family> tokio::io::AsyncRead for $reader<F> {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                poll_read_buf(self, cx, buf)
            }
        }
    )+};
}

/// `tokio::io::AsyncWrite` for types that implement `futures_io::AsyncWrite`, by
/// delegation; tokio's `poll_shutdown` is `futures-io`'s `poll_close` (a write shutdown).
macro_rules! tokio_write {
    ($($writer:ident),+ $(,)?) => {$(
        impl<F: Family> tokio::io::AsyncWrite for $writer<F> {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    )+};
}

// Every stream (`TcpStream` and `UnixStream` are `Stream<Tcp>` and `Stream<Unix>`) and its
// halves: a new stream type with `futures-io` impls joins here.
tokio_read!(Stream, OwnedReadHalf);
tokio_write!(Stream, OwnedWriteHalf);
