//! [`Registration`]: one file descriptor registered with a reactor.

use std::fmt;
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::interest::{Direction, Interest};
use crate::io_state::IoState;
use crate::reactor::Reactor;
use crate::slab::Token;

/// A file descriptor registered with a [`Reactor`]: per-direction readiness and wakers.
///
/// The I/O types (`evloop::net`'s sockets) hold one each. Their pattern, for reads:
///
/// 1. [`poll_ready(Read)`](Registration::poll_ready): `Pending` (waker stored) until the
///    reactor saw a readable edge;
/// 2. try the non-blocking syscall;
/// 3. on `EAGAIN`/`EWOULDBLOCK` call [`clear_ready(Read)`](Registration::clear_ready) and
///    go back to 1. Under edge triggering there is no new event until new data arrives,
///    so readiness is only cleared when the kernel said "no more" (or, for a stream
///    socket, when a short read said it:
///    [`clear_ready_after_short_io`](Registration::clear_ready_after_short_io)).
///
/// The registration does **not** own the fd: dropping it deregisters (`EPOLL_CTL_DEL` on
/// epoll) and frees its slot; the owner must drop the registration first and close the fd
/// after.
///
/// ```
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use evloop_reactor::{Interest, Reactor, Registration};
///
/// let reactor = Reactor::new()?;
/// let (a, _b) = UnixStream::pair()?;
/// a.set_nonblocking(true)?;
/// let _entered = reactor.enter(); // what evloop::run does for you
/// let reg = Registration::new(a.as_raw_fd(), Interest::BOTH)?;
/// assert_eq!(reactor.registrations(), 1);
/// drop(reg);
/// assert_eq!(reactor.registrations(), 0);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Registration {
    /// The reactor the fd is registered with; kept alive as long as the registration.
    reactor: Rc<Reactor>,
    /// The fd's readiness and wakers, shared with the reactor's slab.
    state: Rc<IoState>,
    /// The fd's slab token, also its epoll user data (and its tag in poll's and select's
    /// wait lists).
    token: Token,
}

impl Registration {
    /// Registers `fd` with the thread's current reactor ([`Reactor::current`]).
    ///
    /// # Errors
    /// [`io::ErrorKind::Other`] if no evloop loop is running on this thread; otherwise
    /// what [`with_reactor`](Registration::with_reactor) says.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use evloop_reactor::{Interest, Registration};
    ///
    /// let (sock, _peer) = UnixStream::pair()?;
    /// sock.set_nonblocking(true)?;
    /// // Outside a loop there is no reactor to register with:
    /// assert!(Registration::new(sock.as_raw_fd(), Interest::READABLE).is_err());
    /// // Inside one, the loop's reactor is found:
    /// evloop::run(async {
    ///     let reg = Registration::new(sock.as_raw_fd(), Interest::READABLE)?;
    ///     assert_eq!(reg.fd(), sock.as_raw_fd());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(fd: RawFd, interest: Interest) -> io::Result<Registration> {
        let reactor = Reactor::current().ok_or_else(|| {
            io::Error::other(
                "no evloop loop runs on this thread: create sockets, pipes and \
                 `evloop::io::AsyncFd`s inside `evloop::run` (or `Runtime::block_on`)",
            )
        })?;
        Registration::with_reactor(&reactor, fd, interest)
    }

    /// Registers `fd` with `reactor`, for both directions (edge-triggered on epoll; on
    /// poll and select, the directions are asked of the kernel while a task waits on
    /// them).
    ///
    /// # Errors
    /// `EEXIST` if the fd is already registered, `EBADF` if it is not open; on epoll any
    /// other error of `epoll_ctl` (e.g. `EPERM` for a regular file, which poll and select
    /// accept and report always ready); on select, [`io::ErrorKind::InvalidInput`] for
    /// an fd numbered 1024 (`FD_SETSIZE`) or above.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use evloop_reactor::{Interest, Reactor, Registration};
    ///
    /// let reactor = Reactor::new()?;
    /// let (sock, _peer) = UnixStream::pair()?;
    /// let reg = Registration::with_reactor(&reactor, sock.as_raw_fd(), Interest::BOTH)?;
    /// // The same fd twice is refused by epoll:
    /// let twice = Registration::with_reactor(&reactor, sock.as_raw_fd(), Interest::BOTH);
    /// assert_eq!(twice.unwrap_err().raw_os_error(), Some(17)); // EEXIST
    /// assert_eq!(reactor.registrations(), 1);
    /// # drop(reg);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_reactor(
        reactor: &Rc<Reactor>,
        fd: RawFd,
        interest: Interest,
    ) -> io::Result<Registration> {
        let (token, state) = reactor.register(fd, interest)?;
        Ok(Registration {
            reactor: Rc::clone(reactor),
            state,
            token,
        })
    }

    /// `Ready(Ok(()))` if an edge in `dir` was seen and not [cleared](Self::clear_ready)
    /// since; otherwise stores `cx`'s waker for `dir` (replacing the previous task's) and
    /// returns `Pending`.
    ///
    /// Readable means `EPOLLIN`, or peer shutdown, hang-up or error (`EPOLLRDHUP`,
    /// `EPOLLHUP`, `EPOLLERR`); writable means `EPOLLOUT`, hang-up or error. Errors are
    /// not reported here: the following syscall returns them.
    ///
    /// The read half of the pattern in the [type's docs](Registration), as a
    /// hand-written future would do it:
    ///
    /// ```
    /// use std::io::{self, Read, Write};
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use std::task::{Context, Poll};
    /// use evloop_reactor::{Direction, Interest, Registration};
    ///
    /// /// Reads some bytes from a non-blocking `sock` registered as `reg`.
    /// fn poll_read(
    ///     sock: &mut UnixStream,
    ///     reg: &Registration,
    ///     cx: &mut Context<'_>,
    ///     buf: &mut [u8],
    /// ) -> Poll<io::Result<usize>> {
    ///     loop {
    ///         if let Err(e) = std::task::ready!(reg.poll_ready(Direction::Read, cx)) {
    ///             return Poll::Ready(Err(e));
    ///         }
    ///         match sock.read(buf) {
    ///             Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
    ///                 reg.clear_ready(Direction::Read) // drained: wait for the next edge
    ///             }
    ///             result => return Poll::Ready(result),
    ///         }
    ///     }
    /// }
    ///
    /// evloop::run(async {
    ///     let (mut sock, mut peer) = UnixStream::pair()?;
    ///     sock.set_nonblocking(true)?;
    ///     let reg = Registration::new(sock.as_raw_fd(), Interest::READABLE)?;
    ///     let writer = evloop::spawn(async move { peer.write_all(b"edge") });
    ///     let mut buf = [0; 8];
    ///     let n = std::future::poll_fn(|cx| poll_read(&mut sock, &reg, cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"edge");
    ///     writer.await??;
    ///     Ok::<(), io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Panics
    /// In debug builds, if `dir` is not part of the registration's [`Interest`].
    #[inline]
    pub fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.state.poll_ready(dir, cx).map(Ok)
    }

    /// Forgets the readiness of `dir`, so the next [`poll_ready`](Self::poll_ready) waits
    /// for a new edge. Call it right after the syscall returned `EAGAIN`/`EWOULDBLOCK`.
    ///
    /// ```
    /// use std::io::Write;
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use std::task::{Context, Waker};
    /// use std::time::Duration;
    /// use evloop_reactor::{Direction, Interest, Reactor, Registration};
    /// # use std::{sync::Arc, task::Wake};
    /// # struct Noop;
    /// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
    /// # let waker = Waker::from(Arc::new(Noop));
    /// # let mut cx = Context::from_waker(&waker);
    ///
    /// let reactor = Reactor::new()?;
    /// let (sock, mut peer) = UnixStream::pair()?;
    /// sock.set_nonblocking(true)?;
    /// let reg = Registration::with_reactor(&reactor, sock.as_raw_fd(), Interest::READABLE)?;
    /// peer.write_all(b"x")?;
    /// reactor.wait(Some(Duration::from_millis(100)))?;
    /// assert!(reg.poll_ready(Direction::Read, &mut cx).is_ready());
    /// assert!(reg.poll_ready(Direction::Read, &mut cx).is_ready()); // stays ready...
    /// reg.clear_ready(Direction::Read);
    /// assert!(reg.poll_ready(Direction::Read, &mut cx).is_pending()); // ...until cleared
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[inline]
    pub fn clear_ready(&self, dir: Direction) {
        self.state.clear_ready(dir);
    }

    /// Like [`clear_ready`](Self::clear_ready), for a **stream socket** whose read or
    /// write just transferred at least one byte but fewer than asked: that proves the
    /// receive queue drained (or the send buffer full) as of the syscall, so the `EAGAIN`
    /// the next attempt would get can be skipped, saving a system call per read.
    ///
    /// Readiness stays set when an edge since the last `clear_ready` said urgent data
    /// (TCP stops a read short at the urgent mark), peer shutdown, hang-up or error: a
    /// short transfer proves nothing then, and no further edge would come.
    ///
    /// Call it in the same poll as the syscall, as `clear_ready`. No edge is lost that
    /// way: the reactor records edges only in [`Reactor::wait`], on this thread, so none
    /// can be recorded between the syscall and this call; data that arrives after the
    /// syscall raises a new edge in the kernel, which the next `wait` records. Not for
    /// datagram sockets, where a short read is just a short datagram.
    #[inline]
    pub fn clear_ready_after_short_io(&self, dir: Direction) {
        self.state.clear_ready_after_short_io(dir);
    }

    /// The registered file descriptor.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use evloop_reactor::{Interest, Reactor, Registration};
    ///
    /// let reactor = Reactor::new()?;
    /// let (sock, _peer) = UnixStream::pair()?;
    /// let reg = Registration::with_reactor(&reactor, sock.as_raw_fd(), Interest::BOTH)?;
    /// assert_eq!(reg.fd(), sock.as_raw_fd());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn fd(&self) -> RawFd {
        self.state.fd()
    }

    /// The reactor the fd is registered with.
    pub(crate) fn reactor(&self) -> &Rc<Reactor> {
        &self.reactor
    }

    /// The registration's slab token.
    pub(crate) fn token(&self) -> Token {
        self.token
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.reactor.deregister(self.token, self.state.fd());
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("fd", &self.fd())
            .field("token", &format_args!("{:#x}", self.token))
            .finish_non_exhaustive()
    }
}
