//! [`CompletionStream`]: a TCP stream's reads and writes as io_uring operations, on a
//! reactor whose backend is [`Backend::Uring`](crate::Backend::Uring).
//!
//! Readiness I/O (every other backend, and every other fd) asks "may I?" and then makes
//! the system call itself: one `recv` or `send` per message, plus the wait. Completion
//! I/O hands the kernel the operation and learns, with the turn's one `io_uring_enter`,
//! that it is done. A `poll_read(&mut [u8])` API cannot lend the caller's buffer to the
//! kernel (the future may be dropped while the kernel writes into it), so receives land
//! in buffers the runtime owns and `poll_read` copies out of them; `poll_write` copies
//! into a runtime-owned buffer and returns at once, with at most 64 KiB unsent per
//! stream, beyond which the writer waits (backpressure kept). The buffers belong to the
//! reactor until the kernel is done with them, whatever happens to the futures or the
//! stream; see `sys/uring/stream.rs` for every case.
//!
//! `evloop-net`'s TCP streams use this when the loop runs on io_uring; nothing else
//! needs to.
//!
//! ```
//! use std::future::poll_fn;
//! use std::io::{Read, Write};
//! use std::os::fd::AsRawFd;
//! use evloop_reactor::{Backend, CompletionStream, Interest, Reactor, Registration};
//!
//! let rt = evloop::Runtime::builder().backend(Backend::Uring).build()?;
//! rt.block_on(async {
//!     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//!     let mut peer = std::net::TcpStream::connect(listener.local_addr()?)?;
//!     let (ours, _) = listener.accept()?;
//!     ours.set_nonblocking(true)?;
//!     let reg = Registration::new(ours.as_raw_fd(), Interest::BOTH)?;
//!     let Some(stream) = CompletionStream::new(&reg)? else {
//!         return Ok(()); // io_uring unavailable here: the runtime fell back to epoll
//!     };
//!     let n = poll_fn(|cx| stream.poll_write(cx, b"ping")).await?;
//!     poll_fn(|cx| stream.poll_flush(cx)).await?;
//!     let mut got = [0; 4];
//!     peer.read_exact(&mut got)?;
//!     assert_eq!((n, &got), (4, b"ping"));
//!     peer.write_all(b"pong")?;
//!     let n = poll_fn(|cx| stream.poll_read(cx, &mut got)).await?;
//!     assert_eq!(&got[..n], b"pong");
//!     drop(stream); // before the registration and the socket
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::reactor::Reactor;
use crate::registration::Registration;
use crate::slab::Token;

/// A connected stream socket's completion-based I/O on io_uring. Made from the socket's
/// [`Registration`] by [`CompletionStream::new`]; drop it before the registration and
/// the socket.
pub struct CompletionStream {
    /// The reactor whose io_uring backend holds the stream's state.
    reactor: Rc<Reactor>,
    /// The stream's key in the backend.
    key: Token,
}

impl CompletionStream {
    /// The completion path for the connected stream socket `reg` registers, if its
    /// reactor runs io_uring with the completion path (kernel 5.19 and later):
    /// `Ok(None)` on every other backend, where the socket keeps readiness I/O. The
    /// registration's readiness poll, if a task armed one (a connect), is removed.
    ///
    /// # Errors
    /// More than 2^30 streams at once on one loop.
    pub fn new(reg: &Registration) -> io::Result<Option<CompletionStream>> {
        let reactor = reg.reactor();
        let Some(uring) = reactor.uring().filter(|u| u.completion_enabled()) else {
            return Ok(None);
        };
        uring.disarm(reg.token());
        let key = uring.conn_open(reg.fd())?;
        Ok(Some(CompletionStream {
            reactor: Rc::clone(reactor),
            key,
        }))
    }

    /// Reads what a receive brought into `buf`; with nothing there, submits a receive
    /// (with the loop's next `io_uring_enter`) and returns `Pending`. `Ok(0)`: the peer
    /// shut its side down, or `buf` is empty.
    ///
    /// # Errors
    /// The receive's OS error (`ECONNRESET`, say), reported once.
    #[inline]
    pub fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.uring().conn_poll_read(self.key, cx, buf)
    }

    /// Copies as much of `buf` as the stream's bound of unsent bytes allows into its
    /// send buffer, to be sent with the loop's next `io_uring_enter`; `Pending` while the
    /// bound is reached (the peer reads slowly).
    ///
    /// # Errors
    /// The OS error a previous send met (`EPIPE`, `ECONNRESET`), reported once; `EPIPE`
    /// after [`shutdown`](Self::shutdown) of the write direction.
    #[inline]
    pub fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.uring().conn_poll_write(self.key, cx, buf)
    }

    /// `Ready` once every byte written so far has been handed to the kernel's socket.
    ///
    /// # Errors
    /// As for [`poll_write`](Self::poll_write).
    pub fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.uring().conn_poll_flush(self.key, cx)
    }

    /// Shuts down one or both directions; the write direction after the bytes already
    /// written are sent (the FIN never overtakes them).
    ///
    /// # Errors
    /// The OS error of `shutdown(2)`, when it is made at once.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.uring().conn_shutdown(self.key, how)
    }

    /// The backend (present: `new` checked it, and a reactor never changes backend).
    fn uring(&self) -> &crate::sys::uring::Uring {
        self.reactor
            .uring()
            .expect("a CompletionStream's reactor runs io_uring")
    }
}

impl Drop for CompletionStream {
    fn drop(&mut self) {
        self.uring().conn_close(self.key);
    }
}

impl fmt::Debug for CompletionStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionStream")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}
