//! The socket system calls, for every address family.
//!
//! This folder is the crate's only boundary with the OS and the only place with `unsafe`.
//! Every function here is a thin, blocking-agnostic wrapper: it retries `EINTR`, turns
//! `-1` into [`io::Error::last_os_error`], and leaves `EAGAIN` to the caller (the poll
//! loops in `io.rs` turn it into `Pending`). `accept` also retries the errors of a
//! connection that died in the queue, and is where tests inject faults (`fault.rs`, test
//! builds only). Every socket is created `SOCK_NONBLOCK |
//! SOCK_CLOEXEC` in the same call, so no fd is ever blocking or leaks into a child
//! process, not even for an instant.
//!
//! Addresses cross this boundary as a [`RawAddr`] (a `sockaddr_storage` and its length);
//! `inet.rs` converts them from and to [`std::net::SocketAddr`], `unix.rs` from and to
//! Unix socket paths.

#![allow(unsafe_code)]

pub(crate) mod inet;
pub(crate) mod unix;

use std::io;
use std::mem::{size_of, MaybeUninit};
use std::net::Shutdown;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use libc::{c_int, c_void, sockaddr, sockaddr_storage, socklen_t};

/// Turns a `-1` return into the thread's `errno` as an [`io::Error`].
fn cvt<T: PartialEq + From<i8>>(ret: T) -> io::Result<T> {
    if ret == T::from(-1) {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Runs `f` until it does not fail with `EINTR` (a signal interrupted the call).
fn cvt_r<T: PartialEq + From<i8>>(mut f: impl FnMut() -> T) -> io::Result<T> {
    loop {
        match cvt(f()) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// A socket address as the kernel reads and writes it: a `sockaddr_storage` (large and
/// aligned enough for every family) and the length of the part in use.
#[derive(Clone, Copy)]
pub struct RawAddr {
    /// The address bytes; whatever lies past `len` is zero.
    storage: sockaddr_storage,
    /// How many bytes of `storage` the address occupies.
    len: socklen_t,
}

impl RawAddr {
    /// An all-zero address (family `AF_UNSPEC`) with the whole storage as its length: the
    /// buffer a syscall that returns an address writes into.
    fn buffer() -> RawAddr {
        RawAddr {
            // SAFETY: `sockaddr_storage` is plain old data: all zeroes is a valid value.
            storage: unsafe { MaybeUninit::<sockaddr_storage>::zeroed().assume_init() },
            len: size_of::<sockaddr_storage>() as socklen_t,
        }
    }

    /// The address family (`AF_INET`, `AF_INET6`, `AF_UNIX`, ...).
    pub(crate) fn family(&self) -> c_int {
        c_int::from(self.storage.ss_family)
    }

    /// How many bytes the address occupies.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The address as the `*const sockaddr` the kernel reads.
    fn as_ptr(&self) -> *const sockaddr {
        (&self.storage as *const sockaddr_storage).cast()
    }

    /// The address as the `*mut sockaddr` the kernel writes (with `len` as its capacity).
    fn as_mut_ptr(&mut self) -> *mut sockaddr {
        (&mut self.storage as *mut sockaddr_storage).cast()
    }
}

impl std::fmt::Debug for RawAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawAddr")
            .field("family", &self.family())
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// A new non-blocking, close-on-exec socket of `domain` and `ty` (`SOCK_STREAM`, ...).
pub(crate) fn socket(domain: c_int, ty: c_int) -> io::Result<OwnedFd> {
    // SAFETY: `socket` takes no pointers; on success it returns a new fd that nothing else
    // owns, which `OwnedFd` takes over (and closes exactly once, on drop).
    unsafe {
        let fd = cvt(libc::socket(
            domain,
            ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        ))?;
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

/// Two connected, non-blocking, close-on-exec Unix sockets of type `ty`.
pub(crate) fn socketpair(ty: c_int) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as c_int; 2];
    // SAFETY: `fds` is a writable array of two ints, as socketpair requires.
    cvt(unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    })?;
    // SAFETY: socketpair succeeded, so both fds are open and owned by nobody else; each
    // `OwnedFd` closes its fd exactly once.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Sets an `int`-valued socket option.
pub(crate) fn set_int_option(fd: RawFd, level: c_int, name: c_int, value: c_int) -> io::Result<()> {
    // SAFETY: the pointer and length describe `value`, a live `c_int` on our stack.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const c_int).cast::<c_void>(),
            size_of::<c_int>() as socklen_t,
        )
    })?;
    Ok(())
}

/// Reads an `int`-valued socket option.
pub(crate) fn int_option(fd: RawFd, level: c_int, name: c_int) -> io::Result<c_int> {
    let mut value: c_int = 0;
    let mut len = size_of::<c_int>() as socklen_t;
    // SAFETY: the pointer and length describe `value`, a live `c_int` on our stack; the
    // kernel writes at most `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            (&mut value as *mut c_int).cast::<c_void>(),
            &mut len,
        )
    })?;
    Ok(value)
}

/// Sets `SO_LINGER`: `None` turns it off (close returns at once, the kernel sends what
/// is left in the background); `Some(d)` makes close wait up to `d` (whole seconds) for
/// unsent data, and `Some(Duration::ZERO)` makes close send a reset (RST) instead of a FIN.
pub(crate) fn set_linger(fd: RawFd, linger: Option<Duration>) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: c_int::from(linger.is_some()),
        l_linger: linger.map_or(0, |d| c_int::try_from(d.as_secs()).unwrap_or(c_int::MAX)),
    };
    // SAFETY: the pointer and length describe `value`, a live `struct linger` on our stack.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&value as *const libc::linger).cast::<c_void>(),
            size_of::<libc::linger>() as socklen_t,
        )
    })?;
    Ok(())
}

/// Reads `SO_LINGER` (see `set_linger`).
pub(crate) fn linger(fd: RawFd) -> io::Result<Option<Duration>> {
    let mut value = libc::linger {
        l_onoff: 0,
        l_linger: 0,
    };
    let mut len = size_of::<libc::linger>() as socklen_t;
    // SAFETY: the pointer and length describe `value`, a live `struct linger` on our
    // stack; the kernel writes at most `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&mut value as *mut libc::linger).cast::<c_void>(),
            &mut len,
        )
    })?;
    Ok((value.l_onoff != 0).then(|| Duration::from_secs(value.l_linger.max(0) as u64)))
}

/// The credentials of the peer of a Unix socket (`SO_PEERCRED`): the process that
/// connected (or created the pair), as of that moment.
pub(crate) fn peer_cred(fd: RawFd) -> io::Result<libc::ucred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = size_of::<libc::ucred>() as socklen_t;
    // SAFETY: the pointer and length describe `cred`, a live `struct ucred` on our
    // stack; the kernel writes at most `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast::<c_void>(),
            &mut len,
        )
    })?;
    Ok(cred)
}

/// The pending error of a socket (`SO_ERROR`), which reading also clears. This is how a
/// non-blocking `connect` reports its outcome.
pub(crate) fn take_error(fd: RawFd) -> io::Result<Option<io::Error>> {
    let errno = int_option(fd, libc::SOL_SOCKET, libc::SO_ERROR)?;
    Ok((errno != 0).then(|| io::Error::from_raw_os_error(errno)))
}

/// Binds `fd` to `addr`.
pub(crate) fn bind(fd: RawFd, addr: &RawAddr) -> io::Result<()> {
    // SAFETY: `addr` holds a valid socket address of `addr.len` bytes.
    cvt(unsafe { libc::bind(fd, addr.as_ptr(), addr.len) })?;
    Ok(())
}

/// Marks `fd` as a listening socket with room for `backlog` pending connections (the
/// kernel caps it at `net.core.somaxconn`).
pub(crate) fn listen(fd: RawFd, backlog: c_int) -> io::Result<()> {
    // SAFETY: no pointers involved.
    cvt(unsafe { libc::listen(fd, backlog) })?;
    Ok(())
}

/// Starts connecting `fd` to `addr`. On a non-blocking TCP socket this usually fails with
/// `EINPROGRESS`: the outcome comes later, through write readiness and `SO_ERROR`. A
/// Unix stream socket connects at once, or fails with `EAGAIN` when the listener's
/// backlog is full.
///
/// `EINTR` is not retried here: an interrupted connect goes on in the background, just as
/// `EINPROGRESS` does, so the caller treats both alike.
pub(crate) fn connect(fd: RawFd, addr: &RawAddr) -> io::Result<()> {
    // SAFETY: `addr` holds a valid socket address of `addr.len` bytes.
    cvt(unsafe { libc::connect(fd, addr.as_ptr(), addr.len) })?;
    Ok(())
}

/// Accepts one pending connection: a new non-blocking, close-on-exec socket and the
/// peer's address.
///
/// `ECONNABORTED` and `EPROTO` are retried at once, as Go's and libuv's accept loops do:
/// they say that a connection in the queue died before it was accepted (the client reset
/// it, or the handshake failed), which concerns that connection only; the next one may be
/// right behind it. Any other error (`EAGAIN`, `EMFILE`, ...) is returned.
pub(crate) fn accept(fd: RawFd) -> io::Result<(OwnedFd, RawAddr)> {
    loop {
        match accept_one(fd) {
            Err(e) if matches!(e.raw_os_error(), Some(libc::ECONNABORTED | libc::EPROTO)) => {}
            result => return result,
        }
    }
}

/// One `accept4` call (after `EINTR` retries), or the error a test injected instead.
fn accept_one(fd: RawFd) -> io::Result<(OwnedFd, RawAddr)> {
    #[cfg(feature = "fault-injection")]
    if let Some(e) = crate::fault::accept_fault() {
        return Err(e);
    }
    let mut addr = RawAddr::buffer();
    let new_fd = cvt_r(|| {
        // SAFETY: `addr.storage` is writable for `addr.len` bytes; the kernel writes at
        // most that many and stores the real length in `addr.len`.
        unsafe {
            libc::accept4(
                fd,
                addr.as_mut_ptr(),
                &mut addr.len,
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        }
    })?;
    // SAFETY: `accept4` succeeded, so `new_fd` is a fresh fd owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(new_fd) };
    Ok((owned, addr))
}

/// Which name to ask the kernel for.
#[derive(Copy, Clone)]
pub(crate) enum Name {
    /// The socket's own address (`getsockname`).
    Local,
    /// The connected peer's address (`getpeername`).
    Peer,
}

/// The local or peer address of `fd`.
pub(crate) fn socket_name(fd: RawFd, which: Name) -> io::Result<RawAddr> {
    let mut addr = RawAddr::buffer();
    let ptr = addr.as_mut_ptr();
    // SAFETY: `addr.storage` is writable for `addr.len` bytes; the kernel writes at most
    // that many and stores the real length in `addr.len`.
    cvt(unsafe {
        match which {
            Name::Local => libc::getsockname(fd, ptr, &mut addr.len),
            Name::Peer => libc::getpeername(fd, ptr, &mut addr.len),
        }
    })?;
    Ok(addr)
}

/// Receives into `buf` (`recv(2)`); `Ok(0)` is end of stream on a stream socket.
pub(crate) fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    let n = cvt_r(|| unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) })?;
    Ok(n as usize)
}

/// Sends from `buf` (`send(2)` with `MSG_NOSIGNAL`: a closed peer gives `EPIPE`, never a
/// `SIGPIPE` that would kill the process).
pub(crate) fn send(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
    let n =
        cvt_r(|| unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) })?;
    Ok(n as usize)
}

/// Receives one datagram into `buf` and says who sent it.
pub(crate) fn recv_from(fd: RawFd, buf: &mut [u8]) -> io::Result<(usize, RawAddr)> {
    let mut addr = RawAddr::buffer();
    let n = cvt_r(|| {
        // SAFETY: `buf` is writable for `buf.len()` bytes and `addr.storage` for
        // `addr.len` bytes; the kernel writes at most that much and stores the address
        // length in `addr.len`.
        unsafe {
            libc::recvfrom(
                fd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                addr.as_mut_ptr(),
                &mut addr.len,
            )
        }
    })?;
    Ok((n as usize, addr))
}

/// Sends one datagram from `buf` to `addr`.
pub(crate) fn send_to(fd: RawFd, buf: &[u8], addr: &RawAddr) -> io::Result<usize> {
    let n = cvt_r(|| {
        // SAFETY: `buf` is readable for `buf.len()` bytes; `addr` holds a valid socket
        // address of `addr.len` bytes.
        unsafe {
            libc::sendto(
                fd,
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
                addr.as_ptr(),
                addr.len,
            )
        }
    })?;
    Ok(n as usize)
}

/// Shuts down one or both directions of a connected socket.
pub(crate) fn shutdown(fd: RawFd, how: Shutdown) -> io::Result<()> {
    let how = match how {
        Shutdown::Read => libc::SHUT_RD,
        Shutdown::Write => libc::SHUT_WR,
        Shutdown::Both => libc::SHUT_RDWR,
    };
    // SAFETY: no pointers involved.
    cvt(unsafe { libc::shutdown(fd, how) })?;
    Ok(())
}
