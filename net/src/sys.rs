//! The socket system calls, and the conversion between [`SocketAddr`] and `sockaddr`.
//!
//! This is the crate's only boundary with the OS and the only place with `unsafe`. Every
//! function here is a thin, blocking-agnostic wrapper: it retries `EINTR`, turns `-1`
//! into [`io::Error::last_os_error`], and leaves `EAGAIN` to the caller (the poll loops
//! in `io.rs` turn it into `Pending`). `accept` also retries the errors of a connection
//! that died in the queue, and is where tests inject faults (`fault.rs`, test builds
//! only). Every socket is created `SOCK_NONBLOCK |
//! SOCK_CLOEXEC` in the same call, so no fd is ever blocking or leaks into a child
//! process, not even for an instant.

#![allow(unsafe_code)]

use std::io;
use std::mem::{self, size_of, MaybeUninit};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use libc::{c_int, c_void, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage, socklen_t};

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

/// The address family (`AF_INET` or `AF_INET6`) to create a socket for `addr` with.
pub(crate) fn domain_of(addr: &SocketAddr) -> c_int {
    match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
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

/// The pending error of a socket (`SO_ERROR`), which reading also clears. This is how a
/// non-blocking `connect` reports its outcome.
pub(crate) fn take_error(fd: RawFd) -> io::Result<Option<io::Error>> {
    let errno = int_option(fd, libc::SOL_SOCKET, libc::SO_ERROR)?;
    Ok((errno != 0).then(|| io::Error::from_raw_os_error(errno)))
}

/// Binds `fd` to `addr`.
pub(crate) fn bind(fd: RawFd, addr: &SocketAddr) -> io::Result<()> {
    let (storage, len) = to_raw(addr);
    // SAFETY: `storage` holds a valid `sockaddr_in`/`sockaddr_in6` of `len` bytes.
    cvt(unsafe { libc::bind(fd, (&storage as *const sockaddr_storage).cast(), len) })?;
    Ok(())
}

/// Marks `fd` as a listening socket with room for `backlog` pending connections (the
/// kernel caps it at `net.core.somaxconn`).
pub(crate) fn listen(fd: RawFd, backlog: c_int) -> io::Result<()> {
    // SAFETY: no pointers involved.
    cvt(unsafe { libc::listen(fd, backlog) })?;
    Ok(())
}

/// Starts connecting `fd` to `addr`. On a non-blocking socket this usually fails with
/// `EINPROGRESS`: the outcome comes later, through write readiness and `SO_ERROR`.
///
/// `EINTR` is not retried here: an interrupted connect goes on in the background, just as
/// `EINPROGRESS` does, so the caller treats both alike.
pub(crate) fn connect(fd: RawFd, addr: &SocketAddr) -> io::Result<()> {
    let (storage, len) = to_raw(addr);
    // SAFETY: `storage` holds a valid `sockaddr_in`/`sockaddr_in6` of `len` bytes.
    cvt(unsafe { libc::connect(fd, (&storage as *const sockaddr_storage).cast(), len) })?;
    Ok(())
}

/// Accepts one pending connection: a new non-blocking, close-on-exec socket and the
/// peer's address.
///
/// `ECONNABORTED` and `EPROTO` are retried at once, as Go's and libuv's accept loops do:
/// they say that a connection in the queue died before it was accepted (the client reset
/// it, or the handshake failed), which concerns that connection only; the next one may be
/// right behind it. Any other error (`EAGAIN`, `EMFILE`, ...) is returned.
pub(crate) fn accept(fd: RawFd) -> io::Result<(OwnedFd, SocketAddr)> {
    loop {
        match accept_one(fd) {
            Err(e) if matches!(e.raw_os_error(), Some(libc::ECONNABORTED | libc::EPROTO)) => {}
            result => return result,
        }
    }
}

/// One `accept4` call (after `EINTR` retries), or the error a test injected instead.
fn accept_one(fd: RawFd) -> io::Result<(OwnedFd, SocketAddr)> {
    #[cfg(feature = "fault-injection")]
    if let Some(e) = crate::fault::accept_fault() {
        return Err(e);
    }
    let mut storage = MaybeUninit::<sockaddr_storage>::zeroed();
    let mut len = size_of::<sockaddr_storage>() as socklen_t;
    let new_fd = cvt_r(|| {
        // SAFETY: `storage` is writable for `len` bytes; the kernel writes at most that
        // many and stores the real length in `len`.
        unsafe {
            libc::accept4(
                fd,
                storage.as_mut_ptr().cast::<sockaddr>(),
                &mut len,
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        }
    })?;
    // SAFETY: `accept4` succeeded, so `new_fd` is a fresh fd owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(new_fd) };
    // SAFETY: the kernel initialized the first `len` bytes; the rest was zeroed.
    let storage = unsafe { storage.assume_init() };
    Ok((owned, from_raw(&storage, len)?))
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
pub(crate) fn socket_addr(fd: RawFd, which: Name) -> io::Result<SocketAddr> {
    let mut storage = MaybeUninit::<sockaddr_storage>::zeroed();
    let mut len = size_of::<sockaddr_storage>() as socklen_t;
    let ptr = storage.as_mut_ptr().cast::<sockaddr>();
    // SAFETY: `storage` is writable for `len` bytes; the kernel writes at most that many
    // and stores the real length in `len`.
    cvt(unsafe {
        match which {
            Name::Local => libc::getsockname(fd, ptr, &mut len),
            Name::Peer => libc::getpeername(fd, ptr, &mut len),
        }
    })?;
    // SAFETY: the kernel initialized the first `len` bytes; the rest was zeroed.
    let storage = unsafe { storage.assume_init() };
    from_raw(&storage, len)
}

/// Receives into `buf` (`recv(2)`); `Ok(0)` is end of stream on TCP.
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
pub(crate) fn recv_from(fd: RawFd, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    let mut storage = MaybeUninit::<sockaddr_storage>::zeroed();
    let mut len = size_of::<sockaddr_storage>() as socklen_t;
    let n = cvt_r(|| {
        // SAFETY: `buf` is writable for `buf.len()` bytes and `storage` for `len` bytes;
        // the kernel writes at most that much and stores the address length in `len`.
        unsafe {
            libc::recvfrom(
                fd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                storage.as_mut_ptr().cast::<sockaddr>(),
                &mut len,
            )
        }
    })?;
    // SAFETY: the kernel initialized the first `len` bytes; the rest was zeroed.
    let storage = unsafe { storage.assume_init() };
    Ok((n as usize, from_raw(&storage, len)?))
}

/// Sends one datagram from `buf` to `addr`.
pub(crate) fn send_to(fd: RawFd, buf: &[u8], addr: &SocketAddr) -> io::Result<usize> {
    let (storage, len) = to_raw(addr);
    let n = cvt_r(|| {
        // SAFETY: `buf` is readable for `buf.len()` bytes; `storage` holds a valid
        // `sockaddr_in`/`sockaddr_in6` of `len` bytes.
        unsafe {
            libc::sendto(
                fd,
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
                (&storage as *const sockaddr_storage).cast(),
                len,
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

/// Encodes `addr` as a `sockaddr_in`/`sockaddr_in6` inside a `sockaddr_storage`.
fn to_raw(addr: &SocketAddr) -> (sockaddr_storage, socklen_t) {
    // SAFETY: `sockaddr_storage` is plain old data: all zeroes is a valid value.
    let mut storage: sockaddr_storage = unsafe { mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: `sockaddr_storage` is large and aligned enough for any sockaddr.
            unsafe {
                (&mut storage as *mut sockaddr_storage)
                    .cast::<sockaddr_in>()
                    .write(sin)
            };
            size_of::<sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: `sockaddr_storage` is large and aligned enough for any sockaddr.
            unsafe {
                (&mut storage as *mut sockaddr_storage)
                    .cast::<sockaddr_in6>()
                    .write(sin6)
            };
            size_of::<sockaddr_in6>()
        }
    };
    (storage, len as socklen_t)
}

/// Decodes the address the kernel wrote into `storage` (`len` bytes of it).
fn from_raw(storage: &sockaddr_storage, len: socklen_t) -> io::Result<SocketAddr> {
    let len = len as usize;
    match c_int::from(storage.ss_family) {
        libc::AF_INET if len >= size_of::<sockaddr_in>() => {
            // SAFETY: the family says the storage holds a `sockaddr_in`, and it is long
            // enough; `sockaddr_storage` is aligned for it.
            let sin = unsafe { &*(storage as *const sockaddr_storage).cast::<sockaddr_in>() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Ok(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 if len >= size_of::<sockaddr_in6>() => {
            // SAFETY: the family says the storage holds a `sockaddr_in6`, and it is long
            // enough; `sockaddr_storage` is aligned for it.
            let sin6 = unsafe { &*(storage as *const sockaddr_storage).cast::<sockaddr_in6>() };
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        family => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unexpected socket address family {family} (length {len})"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_survive_the_round_trip_through_sockaddr() {
        for text in ["127.0.0.1:8080", "0.0.0.0:0", "[::1]:443", "[fe80::1%3]:1"] {
            let addr: SocketAddr = text.parse().unwrap();
            let (storage, len) = to_raw(&addr);
            assert_eq!(from_raw(&storage, len).unwrap(), addr, "{text}");
        }
    }

    #[test]
    fn a_short_or_foreign_sockaddr_is_an_error_not_garbage() {
        let (storage, _) = to_raw(&"127.0.0.1:1".parse().unwrap());
        assert!(from_raw(&storage, 2).is_err());
        // SAFETY: all zeroes is a valid `sockaddr_storage` (family AF_UNSPEC).
        let unspec: sockaddr_storage = unsafe { mem::zeroed() };
        assert!(from_raw(&unspec, 16).is_err());
    }
}
