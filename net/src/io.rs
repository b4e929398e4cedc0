//! [`Socket`]: an owned, registered, non-blocking fd, and the poll loops all socket types
//! share.
//!
//! Every I/O operation of the crate goes through [`Socket::poll_io`]:
//!
//! ```text
//! loop {
//!     ready!(registration.poll_ready(dir, cx))?;   // Pending (waker parked) until an edge
//!     match syscall() {
//!         Err(EAGAIN) => registration.clear_ready(dir), // the kernel says: no more; wait again
//!         result => return Ready(result),               // data, EOF or a real error
//!     }
//! }
//! ```
//!
//! Stream reads and writes ([`Socket::poll_read`], [`Socket::poll_write`]) also clear
//! readiness after a short transfer where that proves the socket drained (or full),
//! without the `EAGAIN` probe. A wait notes its site for task dumps in debug mode
//! (`wait_site.rs`).

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::task::{ready, Context, Poll};

use evloop_reactor::{CompletionStream, Direction, Interest, Registration};

use crate::sys;
use crate::wait_site::{self, DescribedCell};

/// A non-blocking socket registered with the loop's reactor.
///
/// Field order matters: Rust drops fields in declaration order, so the registration is
/// removed from epoll before the fd is closed, and the fd is closed exactly once, by
/// `OwnedFd`.
pub(crate) struct Socket {
    /// The socket's registration: its readiness per direction and the parked wakers.
    reg: Registration,
    /// A TCP stream's completion I/O on io_uring (see `completion.rs`); `None` for every
    /// other socket and backend. Dropped before the fd, which it may still name.
    pub(crate) completion: Option<CompletionStream>,
    /// The socket itself; closing it is `OwnedFd`'s job.
    fd: OwnedFd,
    /// Debug mode: what task dumps say of this socket, learned on its first wait.
    described: DescribedCell,
}

impl Socket {
    /// Registers `fd` (which must be non-blocking) with the current loop's reactor.
    ///
    /// # Errors
    /// No loop runs on this thread, or `epoll_ctl` failed; `fd` is closed then.
    pub(crate) fn new(fd: OwnedFd) -> io::Result<Socket> {
        let reg = Registration::new(fd.as_raw_fd(), Interest::BOTH)?;
        Ok(Socket {
            reg,
            completion: None,
            fd,
            described: DescribedCell::new(),
        })
    }

    /// The socket's registration.
    pub(crate) fn registration(&self) -> &Registration {
        &self.reg
    }

    /// The raw fd, for syscalls.
    pub(crate) fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Waits for `dir` readiness, then runs `op` until it does something other than
    /// `EAGAIN` (see the module docs).
    #[inline]
    pub(crate) fn poll_io<T>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(RawFd) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        loop {
            ready!(self.noted(self.reg.poll_ready(dir, cx), dir))?;
            match op(self.fd()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.reg.clear_ready(dir),
                result => return Poll::Ready(result),
            }
        }
    }

    /// Notes `poll`, if it is `Pending`, as a wait for `dir` (debug mode).
    #[inline]
    fn noted<T>(&self, poll: Poll<T>, dir: Direction) -> Poll<T> {
        if poll.is_pending() {
            wait_site::note_wait(self.fd(), dir, &self.described);
        }
        poll
    }

    /// Waits for writability without doing any I/O: how a socket connecting to `to`
    /// learns it is done.
    pub(crate) fn poll_connected(
        &self,
        to: SocketAddr,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let poll = self.reg.poll_ready(Direction::Write, cx);
        if poll.is_pending() {
            wait_site::note_connect(self.fd(), to);
        }
        poll
    }

    /// Forgets `dir` readiness: the next [`poll_ready`](Self::poll_ready) waits for a new
    /// edge.
    pub(crate) fn clear_ready(&self, dir: Direction) {
        self.reg.clear_ready(dir);
    }

    /// Reads into `buf` from a stream socket; an empty `buf` gives `Ok(0)` at once,
    /// without waiting.
    ///
    /// With `short_read_drains` (TCP), a short read (some bytes, fewer than `buf.len()`)
    /// drained the receive queue, so it clears read readiness at once instead of leaving
    /// it to the `EAGAIN` of the next read: one system call fewer per message (see
    /// [`Registration::clear_ready_after_short_io`] for when it does not). A Unix stream
    /// socket passes `false`: its reads also stop short, with data left, where the
    /// writer's credentials change or a message carried file descriptors.
    #[inline]
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        short_read_drains: bool,
    ) -> Poll<io::Result<usize>> {
        if let Some(completion) = &self.completion {
            return self.noted(completion.poll_read(cx, buf), Direction::Read);
        }
        let len = buf.len();
        if len == 0 {
            return Poll::Ready(Ok(0));
        }
        let n = ready!(self.poll_io(Direction::Read, cx, |fd| sys::recv(fd, buf)))?;
        if short_read_drains && n > 0 && n < len {
            self.reg.clear_ready_after_short_io(Direction::Read);
        }
        Poll::Ready(Ok(n))
    }

    /// Writes from `buf` to a stream socket; an empty `buf` gives `Ok(0)` at once,
    /// without waiting.
    ///
    /// A short write filled the send buffer, so it clears write readiness at once: the
    /// next write waits for the `EPOLLOUT` edge instead of probing for `EAGAIN`.
    #[inline]
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if let Some(completion) = &self.completion {
            return self.noted(completion.poll_write(cx, buf), Direction::Write);
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let n = ready!(self.poll_io(Direction::Write, cx, |fd| sys::send(fd, buf)))?;
        if n > 0 && n < buf.len() {
            self.reg.clear_ready_after_short_io(Direction::Write);
        }
        Poll::Ready(Ok(n))
    }

    /// Reads into `buf`, waiting until at least one byte (or EOF: `Ok(0)`) is there.
    pub(crate) async fn read(&self, buf: &mut [u8], short_read_drains: bool) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read(cx, buf, short_read_drains)).await
    }

    /// Reads exactly `buf.len()` bytes; EOF before that is `UnexpectedEof`.
    pub(crate) async fn read_exact(
        &self,
        mut buf: &mut [u8],
        short_read_drains: bool,
    ) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read(buf, short_read_drains).await? {
                0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "the peer closed the stream with {} bytes still expected",
                            buf.len()
                        ),
                    ))
                }
                n => buf = &mut buf[n..],
            }
        }
        Ok(())
    }

    /// Writes some of `buf`, waiting until the send buffer has room for at least a byte.
    pub(crate) async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write(cx, buf)).await
    }

    /// Writes all of `buf`, waiting for send-buffer room as often as needed.
    pub(crate) async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// `Ready` once every byte written has reached the kernel: at once on readiness I/O
    /// (each write is a `send`); on the completion path, when the sends in flight are done.
    pub(crate) fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &self.completion {
            Some(completion) => self.noted(completion.poll_flush(cx), Direction::Write),
            None => Poll::Ready(Ok(())),
        }
    }

    /// Waits until every byte written has reached the kernel (see [`poll_flush`](Self::poll_flush)).
    pub(crate) async fn flush(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Shuts down one or both directions (on the completion path, the write direction
    /// after the bytes already written).
    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        match &self.completion {
            Some(completion) => completion.shutdown(how),
            None => sys::shutdown(self.fd(), how),
        }
    }

    /// Flushes, then shuts the write direction down: `AsyncWrite::poll_close`.
    pub(crate) fn poll_close(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_flush(cx))?;
        Poll::Ready(self.shutdown(Shutdown::Write))
    }

    /// The address this socket is bound to, as the kernel wrote it.
    pub(crate) fn raw_name(&self, which: sys::Name) -> io::Result<sys::RawAddr> {
        sys::socket_name(self.fd(), which)
    }

    /// The IP address this socket is bound to.
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        sys::inet::from_raw(&self.raw_name(sys::Name::Local)?)
    }

    /// The IP address of the connected peer.
    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        sys::inet::from_raw(&self.raw_name(sys::Name::Peer)?)
    }
}

/// Writes `name { fd, local, peer }`, leaving out the addresses the socket has not got.
pub(crate) fn fmt_socket<A: fmt::Debug>(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    fd: RawFd,
    local: io::Result<A>,
    peer: io::Result<A>,
) -> fmt::Result {
    let mut d = f.debug_struct(name);
    d.field("fd", &fd);
    if let Ok(addr) = local {
        d.field("local", &addr);
    }
    if let Ok(addr) = peer {
        d.field("peer", &addr);
    }
    d.finish()
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket").field("fd", &self.fd()).finish()
    }
}
