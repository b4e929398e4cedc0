//! Thin wrappers over the epoll and socket calls that the runtime-free binaries (the
//! `epoll_echo_server` floor and the `echo_load` generator) use, so that their loops read
//! without `unsafe`. Each wrapper is one system call (`reuseport_listener`: the five that
//! make a shared listener); `-1` becomes the `errno` as an [`io::Error`], and nothing is
//! retried.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Level-triggered read interest (with hang-up and error, which epoll always reports).
pub const IN: u32 = libc::EPOLLIN as u32;
/// Level-triggered write interest.
pub const OUT: u32 = libc::EPOLLOUT as u32;

/// Turns a negative return into the thread's `errno`.
fn cvt<T: Default + PartialOrd>(ret: T) -> io::Result<T> {
    if ret < T::default() {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// An epoll instance (closed on drop).
pub struct Epoll(OwnedFd);

impl Epoll {
    /// A new close-on-exec epoll instance.
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: no pointers; a non-negative result is a new fd that nothing else owns.
        cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) }).map(|fd| Epoll(owned_fresh(fd)))
    }

    /// `EPOLL_CTL_ADD` or `EPOLL_CTL_MOD` of `fd` with `events`, reported with `token`.
    fn ctl(&self, op: libc::c_int, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event { events, u64: token };
        // SAFETY: `ev` is a valid epoll_event alive for the call; the kernel only reads it.
        cvt(unsafe { libc::epoll_ctl(self.0.as_raw_fd(), op, fd, &mut ev) }).map(drop)
    }

    /// Watches `fd` for `events` (level-triggered), reported with `token`.
    pub fn add(&self, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, events, token)
    }

    /// Changes the events watched on `fd`.
    pub fn modify(&self, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, events, token)
    }

    /// Waits up to `timeout_ms` (-1: forever) and fills the front of `events`; returns
    /// how many were filled (0 on timeout or `EINTR`).
    pub fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> io::Result<usize> {
        let max = events.len().min(i32::MAX as usize) as i32;
        // SAFETY: the pointer and `max` describe `events`, which the kernel fills with at
        // most `max` entries.
        match cvt(unsafe {
            libc::epoll_wait(self.0.as_raw_fd(), events.as_mut_ptr(), max, timeout_ms)
        }) {
            Ok(n) => Ok(n as usize),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }
}

/// An empty event buffer of `n` entries.
pub fn events(n: usize) -> Vec<libc::epoll_event> {
    vec![libc::epoll_event { events: 0, u64: 0 }; n]
}

/// The `(flags, token)` of an event (copied out: `epoll_event` is packed on x86_64).
pub fn split(ev: &libc::epoll_event) -> (u32, u64) {
    (ev.events, ev.u64)
}

/// One `recv` into `buf`.
pub fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: the pointer and length describe `buf`, writable for the call.
    cvt(unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) }).map(|n| n as usize)
}

/// One `send` of `buf` (`MSG_NOSIGNAL`: a closed peer is `EPIPE`, never a signal).
pub fn send(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: the pointer and length describe `buf`, readable for the call.
    cvt(unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) })
        .map(|n| n as usize)
}

/// Accepts one connection, non-blocking and close-on-exec.
pub fn accept(listener: RawFd) -> io::Result<OwnedFd> {
    let flags = libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
    // SAFETY: null address pointers ask the kernel not to report the peer's address.
    cvt(unsafe { libc::accept4(listener, std::ptr::null_mut(), std::ptr::null_mut(), flags) })
        .map(owned_fresh)
}

/// A non-blocking listener on `127.0.0.1:port` (0: any free port) that other sockets may
/// share (`SO_REUSEADDR` and `SO_REUSEPORT` set before `bind`), listening with `backlog`.
pub fn reuseport_listener(port: u16, backlog: i32) -> io::Result<std::net::TcpListener> {
    let flags = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
    // SAFETY: no pointers; a non-negative result is a new fd that nothing else owns.
    let fd = owned_fresh(cvt(unsafe { libc::socket(libc::AF_INET, flags, 0) })?);
    for option in [libc::SO_REUSEADDR, libc::SO_REUSEPORT] {
        set_int_option(fd.as_raw_fd(), libc::SOL_SOCKET, option, 1)?;
    }
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: the pointer and length describe `addr`, a live sockaddr_in.
    cvt(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&addr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })?;
    // SAFETY: `listen` on the socket just bound; no pointers.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) })?;
    Ok(fd.into())
}

/// Takes ownership of `fd`, just returned by the kernel.
fn owned_fresh(fd: RawFd) -> OwnedFd {
    // SAFETY: only called on fds the kernel has just created for us (epoll_create1,
    // accept4, socket), which nothing else owns or closes.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Turns Nagle's algorithm off on `fd`.
pub fn set_nodelay(fd: RawFd) -> io::Result<()> {
    set_int_option(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1)
}

/// Sets the integer socket option `level`/`name` of `fd` to `value`.
fn set_int_option(fd: RawFd, level: i32, name: i32, value: libc::c_int) -> io::Result<()> {
    // SAFETY: the pointer and length describe `value`, a live c_int.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}
