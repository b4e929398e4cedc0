//! [`AsyncFd`]: any non-blocking file descriptor, registered with the loop's reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::task::{ready, Context, Poll};

use evloop_reactor::{Backend, Direction, Interest, Reactor, Registration};

use crate::guard::{AsyncFdReadyGuard, AsyncFdReadyMutGuard};
use crate::sys::{self, Kind};

/// A non-blocking file descriptor owned by the loop's reactor, like tokio's `AsyncFd`
/// and asyncio's `loop.add_reader` / `add_writer`: wait until it is readable or
/// writable, then do the I/O yourself.
///
/// `T` is whatever owns the fd (an `OwnedFd`, a `std::fs::File` opened on a device, a
/// `std::os::unix::net::UnixStream`, your own type); `AsyncFd` keeps it and gives it
/// back with [`into_inner`](AsyncFd::into_inner). The fd must be in non-blocking mode
/// (`O_NONBLOCK`), so that an attempt with nothing to do fails with `WouldBlock`
/// instead of stopping the loop.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use evloop::io::AsyncFd;
///
/// evloop::run(async {
///     let (ours, mut theirs) = UnixStream::pair()?;
///     ours.set_nonblocking(true)?;
///     let fd = AsyncFd::new(ours)?;
///     theirs.write_all(b"ready")?;
///     let mut buf = [0; 16];
///     let n = loop {
///         let mut guard = fd.readable().await?;
///         match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///             Ok(result) => break result?,
///             Err(_would_block) => continue, // readiness cleared: wait for the next edge
///         }
///     };
///     assert_eq!(&buf[..n], b"ready");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Edge-triggered readiness
///
/// The reactor learns readiness from *edges* (the kernel reports a change once).
/// `readable()` returns at once while readiness is set, and readiness stays set until
/// it is cleared: by [`try_io`](AsyncFdReadyGuard::try_io) when the closure fails with
/// `WouldBlock`, or by [`clear_ready`](AsyncFdReadyGuard::clear_ready). Clear only
/// after the fd said `WouldBlock`: clearing while data is left waits for an edge that
/// never comes.
///
/// One task waits per direction: a second task awaiting `readable()` on the same
/// `AsyncFd` replaces the first one's waker.
pub struct AsyncFd<T: AsRawFd> {
    /// The fd's registration with the loop's reactor: readiness and the parked wakers.
    /// Declared first so it deregisters before `inner` (and with it maybe the fd) drops.
    reg: Registration,
    /// The owner of the fd.
    inner: T,
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner`'s fd with the running loop's reactor, for reading and writing.
    ///
    /// ```
    /// use evloop::io::AsyncFd;
    ///
    /// evloop::run(async {
    ///     // A regular file is refused: epoll cannot watch files.
    ///     let file = std::fs::File::open("Cargo.toml")?;
    ///     let err = AsyncFd::new(file).unwrap_err();
    ///     assert!(err.to_string().contains("evloop::fs"));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// - [`io::ErrorKind::InvalidInput`] for a regular file or a directory (epoll refuses
    ///   them; use `evloop::fs`, which runs file I/O on the blocking pool), and for an fd
    ///   in blocking mode (set `O_NONBLOCK` first);
    /// - [`io::ErrorKind::AlreadyExists`] if the fd is registered with this loop already
    ///   (by another `AsyncFd` or an evloop socket);
    /// - an error saying so outside a running loop; the OS error otherwise (`EBADF`).
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        let fd = inner.as_raw_fd();
        // poll, select and io_uring accept any fd and report a file always ready; refuse
        // on every backend what epoll refuses, so a program behaves the same on each.
        let epoll = Reactor::current().is_none_or(|r| r.backend() == Backend::Epoll);
        if !epoll && !sys::epoll_accepts(fd)? {
            return Err(refused(fd, sys::kind(fd)));
        }
        let reg = Registration::new(fd, Interest::BOTH).map_err(|e| match e.raw_os_error() {
            // epoll's answer for a file it cannot watch: a regular file or a directory.
            Some(libc::EPERM) => refused(fd, sys::kind(fd)),
            Some(libc::EEXIST) => io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "AsyncFd: fd {fd} is already registered with this loop (by another \
                     AsyncFd or an evloop socket); one owner per fd"
                ),
            ),
            _ => e,
        })?;
        if !sys::is_nonblocking(fd)? {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "AsyncFd: fd {fd} is in blocking mode, so a read or write with nothing \
                     to do would stop the whole loop; make it non-blocking first (e.g. \
                     `set_nonblocking(true)`, or `fcntl(fd, F_SETFL, flags | O_NONBLOCK)`)"
                ),
            ));
        }
        Ok(AsyncFd { reg, inner })
    }

    /// The owner of the fd.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     assert!(fd.get_ref().peer_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The owner of the fd, mutably.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     let _stream: &mut UnixStream = fd.get_mut();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Deregisters the fd and gives its owner back (the fd stays open).
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     let ours = fd.into_inner();
    ///     let again = AsyncFd::new(ours)?; // deregistered, so it can register again
    ///     drop(again);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(self) -> T {
        let AsyncFd { reg, inner } = self;
        drop(reg);
        inner
    }

    /// Waits until the fd is readable (or hung up, or in error: the next read says
    /// which) and returns a guard to do the reading with.
    ///
    /// ```
    /// # use std::io::Write;
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, mut theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     let writer = evloop::spawn(async move { theirs.write_all(b"x") });
    ///     let _guard = fd.readable().await?; // suspends until the write above
    ///     writer.await.unwrap()?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice (the reactor reports errors as readiness; the I/O returns them).
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Direction::Read).await?;
        Ok(AsyncFdReadyGuard::new(self, Direction::Read))
    }

    /// Waits until the fd is writable (or hung up, or in error) and returns a guard to do
    /// the writing with.
    ///
    /// ```
    /// # use std::io::Write;
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     let mut guard = fd.writable().await?; // an empty socket buffer: at once
    ///     let n = guard.try_io(|fd| fd.get_ref().write(b"hi")).unwrap()?;
    ///     assert_eq!(n, 2);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice (the reactor reports errors as readiness; the I/O returns them).
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Direction::Write).await?;
        Ok(AsyncFdReadyGuard::new(self, Direction::Write))
    }

    /// As [`readable`](Self::readable), with a guard that lends the owner mutably (for
    /// types whose `read` takes `&mut self`).
    ///
    /// ```
    /// # use std::io::{Read, Write};
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, mut theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     theirs.write_all(b"abc")?;
    ///     let mut guard = fd.readable_mut().await?;
    ///     let mut buf = [0; 3];
    ///     guard.try_io(|fd| fd.get_mut().read_exact(&mut buf)).unwrap()?;
    ///     assert_eq!(&buf, b"abc");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready(Direction::Read).await?;
        Ok(AsyncFdReadyMutGuard::new(self, Direction::Read))
    }

    /// As [`writable`](Self::writable), with a guard that lends the owner mutably.
    ///
    /// ```
    /// # use std::io::Write;
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     let mut guard = fd.writable_mut().await?;
    ///     guard.try_io(|fd| fd.get_mut().write_all(b"abc")).unwrap()?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready(Direction::Write).await?;
        Ok(AsyncFdReadyMutGuard::new(self, Direction::Write))
    }

    /// Polls for read readiness: the poll form of [`readable`](Self::readable), for
    /// hand-written futures and `poll_read` implementations.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    /// use std::task::{ready, Context, Poll};
    /// use evloop::io::AsyncFd;
    ///
    /// fn poll_read(fd: &AsyncFd<UnixStream>, cx: &mut Context<'_>, buf: &mut [u8])
    ///     -> Poll<std::io::Result<usize>>
    /// {
    ///     loop {
    ///         let mut guard = ready!(fd.poll_read_ready(cx))?;
    ///         if let Ok(result) = guard.try_io(|fd| fd.get_ref().read(buf)) {
    ///             return Poll::Ready(result);
    ///         }
    ///     }
    /// }
    ///
    /// evloop::run(async {
    ///     let (ours, mut theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     theirs.write_all(b"poll")?;
    ///     let mut buf = [0; 4];
    ///     let n = poll_fn(|cx| poll_read(&fd, cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"poll");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice.
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        ready!(self.reg.poll_ready(Direction::Read, cx))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, Direction::Read)))
    }

    /// Polls for write readiness: the poll form of [`writable`](Self::writable).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::os::unix::net::UnixStream;
    /// use evloop::io::AsyncFd;
    ///
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     let guard = poll_fn(|cx| fd.poll_write_ready(cx)).await?;
    ///     drop(guard); // readiness kept: nothing was attempted
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice.
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        ready!(self.reg.poll_ready(Direction::Write, cx))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, Direction::Write)))
    }

    /// Waits for readiness in `dir`.
    async fn ready(&self, dir: Direction) -> io::Result<()> {
        poll_fn(|cx| self.reg.poll_ready(dir, cx)).await
    }

    /// Forgets readiness in `dir` (for the guards).
    pub(crate) fn clear_ready(&self, dir: Direction) {
        self.reg.clear_ready(dir);
    }
}

/// The error for an fd epoll refuses (`EPERM`), saying what it is if `fstat` could tell.
fn refused(fd: RawFd, kind: io::Result<Kind>) -> io::Error {
    let what = match kind {
        Ok(Kind::Regular) => "a regular file",
        Ok(Kind::Directory) => "a directory",
        _ => "a file that does not support polling",
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "AsyncFd: fd {fd} is {what}, which epoll cannot watch (a file is always \
             \"ready\" and its reads wait on the disk): use evloop::fs, which runs file I/O \
             on the blocking pool"
        ),
    )
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
