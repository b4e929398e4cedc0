//! Thin wrappers over the epoll and socket calls that the runtime-free binaries (the
//! `epoll_echo_server` floor and the `echo_load` generator) use, so that their loops read
//! without `unsafe`. Each wrapper is one system call; `-1` becomes the `errno` as an
//! [`io::Error`], and nothing is retried.

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

/// Takes ownership of `fd`, just returned by the kernel.
fn owned_fresh(fd: RawFd) -> OwnedFd {
    // SAFETY: only called on fds the kernel has just created for us (epoll_create1,
    // accept4), which nothing else owns or closes.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Turns Nagle's algorithm off on `fd`.
pub fn set_nodelay(fd: RawFd) -> io::Result<()> {
    let one: libc::c_int = 1;
    // SAFETY: the pointer and length describe `one`, a live c_int.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}
