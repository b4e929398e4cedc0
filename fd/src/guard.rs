//! The readiness guards [`AsyncFd::readable`] and friends return: proof that the fd was
//! ready, and the place to attempt the I/O and clear readiness when it would block.

use std::fmt;
use std::io;
use std::os::fd::AsRawFd;

use evloop_reactor::Direction;

use crate::async_fd::AsyncFd;

/// Readiness of an [`AsyncFd`] in one direction, from [`readable`](AsyncFd::readable),
/// [`writable`](AsyncFd::writable) or their `poll_` forms.
///
/// Dropping the guard keeps the readiness; [`try_io`](Self::try_io) clears it when the
/// I/O would block, [`clear_ready`](Self::clear_ready) clears it by hand.
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
///     theirs.write_all(b"data")?;
///     let mut guard = fd.readable().await?;
///     let mut buf = [0; 64];
///     let n = guard.try_io(|fd| fd.get_ref().read(&mut buf)).unwrap()?;
///     assert_eq!(&buf[..n], b"data");
///     // Drained: the next attempt would block, so try_io clears readiness.
///     assert!(guard.try_io(|fd| fd.get_ref().read(&mut buf)).is_err());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    /// The fd that was ready.
    fd: &'a AsyncFd<T>,
    /// Which direction was ready.
    dir: Direction,
}

/// As [`AsyncFdReadyGuard`], lending the [`AsyncFd`] mutably, from
/// [`readable_mut`](AsyncFd::readable_mut) and [`writable_mut`](AsyncFd::writable_mut).
///
/// ```
/// use std::io::Write;
/// use std::os::unix::net::UnixStream;
/// use evloop::io::AsyncFd;
///
/// evloop::run(async {
///     let (ours, _theirs) = UnixStream::pair()?;
///     ours.set_nonblocking(true)?;
///     let mut fd = AsyncFd::new(ours)?;
///     let mut guard = fd.writable_mut().await?;
///     let n = guard.try_io(|fd| fd.get_mut().write(b"x")).unwrap()?;
///     assert_eq!(n, 1);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    /// The fd that was ready.
    fd: &'a mut AsyncFd<T>,
    /// Which direction was ready.
    dir: Direction,
}

/// What [`try_io`](AsyncFdReadyGuard::try_io) returns when the I/O would have blocked:
/// readiness is cleared, so wait again (`readable().await`) and retry.
///
/// ```
/// use std::io::Read;
/// use std::os::unix::net::UnixStream;
/// use evloop::io::{AsyncFd, TryIoError};
///
/// evloop::run(async {
///     let (ours, _theirs) = UnixStream::pair()?;
///     ours.set_nonblocking(true)?;
///     let fd = AsyncFd::new(ours)?;
///     let mut guard = fd.writable().await?; // ready to write, but nothing to read:
///     let outcome: Result<_, TryIoError> = guard.try_io(|fd| fd.get_ref().read(&mut [0; 8]));
///     assert!(outcome.is_err());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TryIoError(());

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    /// A guard for `dir` readiness of `fd`.
    pub(crate) fn new(fd: &'a AsyncFd<T>, dir: Direction) -> Self {
        AsyncFdReadyGuard { fd, dir }
    }

    /// Runs `f`, the non-blocking I/O. If it fails with `WouldBlock`, clears readiness
    /// and returns `Err(TryIoError)` (wait again, then retry); otherwise returns its
    /// result in `Ok`.
    ///
    /// # Errors
    /// [`TryIoError`] when `f` would have blocked.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// Forgets the readiness: the next `readable()`/`writable()` waits for a new edge.
    /// Only after the fd said `WouldBlock` (see [`AsyncFd`]'s docs).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::task::Poll;
    /// use std::os::unix::net::UnixStream;
    /// use evloop::io::AsyncFd;
    ///
    /// evloop::run(async {
    ///     let (ours, _theirs) = UnixStream::pair()?;
    ///     ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     fd.writable().await?.clear_ready();
    ///     // Not writable again until a new edge (none comes here):
    ///     assert!(poll_fn(|cx| Poll::Ready(fd.poll_write_ready(cx).is_pending())).await);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clear_ready(&mut self) {
        self.fd.clear_ready(self.dir);
    }

    /// Drops the guard, keeping the readiness (as dropping it does; this says so).
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     fd.writable().await?.retain_ready();
    ///     let _still = fd.writable().await?; // at once
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn retain_ready(self) {}

    /// The [`AsyncFd`] this guard is for.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     let guard = fd.writable().await?;
    ///     assert!(std::ptr::eq(guard.get_ref(), &fd));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.fd
    }

    /// The owner of the fd.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let fd = AsyncFd::new(ours)?;
    ///     let guard = fd.writable().await?;
    ///     let _stream: &UnixStream = guard.get_inner();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_inner(&self) -> &'a T {
        self.fd.get_ref()
    }
}

impl<'a, T: AsRawFd> AsyncFdReadyMutGuard<'a, T> {
    /// A guard for `dir` readiness of `fd`.
    pub(crate) fn new(fd: &'a mut AsyncFd<T>, dir: Direction) -> Self {
        AsyncFdReadyMutGuard { fd, dir }
    }

    /// As [`AsyncFdReadyGuard::try_io`], with the [`AsyncFd`] lent mutably.
    ///
    /// # Errors
    /// [`TryIoError`] when `f` would have blocked.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(&mut *self.fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// As [`AsyncFdReadyGuard::clear_ready`].
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     fd.writable_mut().await?.clear_ready();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clear_ready(&mut self) {
        self.fd.clear_ready(self.dir);
    }

    /// As [`AsyncFdReadyGuard::retain_ready`].
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     fd.writable_mut().await?.retain_ready();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn retain_ready(self) {}

    /// The [`AsyncFd`] this guard is for.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     let guard = fd.writable_mut().await?;
    ///     let _fd: &AsyncFd<UnixStream> = guard.get_ref();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.fd
    }

    /// The [`AsyncFd`] this guard is for, mutably.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     let mut guard = fd.writable_mut().await?;
    ///     let _stream: &mut UnixStream = guard.get_mut().get_mut();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.fd
    }

    /// The owner of the fd.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     let guard = fd.writable_mut().await?;
    ///     let _stream: &UnixStream = guard.get_inner();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_inner(&self) -> &T {
        self.fd.get_ref()
    }

    /// The owner of the fd, mutably.
    ///
    /// ```
    /// # use std::os::unix::net::UnixStream;
    /// # use evloop::io::AsyncFd;
    /// evloop::run(async {
    /// #   let (ours, _theirs) = UnixStream::pair()?;
    /// #   ours.set_nonblocking(true)?;
    ///     let mut fd = AsyncFd::new(ours)?;
    ///     let mut guard = fd.writable_mut().await?;
    ///     let _stream: &mut UnixStream = guard.get_inner_mut();
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.fd.get_mut()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("fd", &self.fd.as_raw_fd())
            .field("dir", &self.dir)
            .finish()
    }
}

impl<T: AsRawFd> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("fd", &self.fd.as_raw_fd())
            .field("dir", &self.dir)
            .finish()
    }
}

impl fmt::Display for TryIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the I/O would block; readiness was cleared, wait and retry")
    }
}

impl std::error::Error for TryIoError {}
