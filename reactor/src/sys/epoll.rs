//! The `epoll` backend: edge-triggered registrations kept in the kernel, so a wait
//! costs in proportion to the fds that became ready, not to those registered.
//!
//! Every fd is added once, for both directions (`EPOLLIN | EPOLLOUT | EPOLLPRI |
//! EPOLLRDHUP | EPOLLET`); the kernel queues an event each time the fd's state changes
//! and [`Epoll::wait`] hands them back, decoded into [`Event`]s. Nothing is handed to the
//! kernel per wait but the buffer to fill.

#![allow(unsafe_code)]

use std::cell::{RefCell, RefMut};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{cvt, reentrant_wait, resume_after_signals, Event};
use crate::slab::{Token, NOTIFIER_TOKEN};

/// How many kernel events one wait handles at most; more stay queued in the kernel for
/// the next wait.
const EVENTS_CAPACITY: usize = 1024;

/// Set once `epoll_pwait2` failed with `ENOSYS` (kernel older than 5.11, or a sandbox
/// that filters it): from then on every wait uses `epoll_wait` with millisecond timeouts.
/// A property of the kernel, hence process-wide.
static PWAIT2_UNAVAILABLE: AtomicBool = AtomicBool::new(false);

/// Readiness that counts as "readable": data, urgent data, the peer's shutdown,
/// hang-up, or an error (the next read reports the latter two).
const READ_FLAGS: u32 =
    (libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// Readiness that counts as "writable": buffer space, hang-up, or an error (the next
/// write reports the latter two).
const WRITE_FLAGS: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// Read conditions after which a short read does not prove the receive queue drained
/// (TCP stops a read at the urgent mark; after the peer's FIN or an error the next read
/// returns at once, and no further edge will come for it).
const READ_STICKY_FLAGS: u32 =
    (libc::EPOLLPRI | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// Write conditions after which a short write does not prove the send buffer full.
const WRITE_STICKY_FLAGS: u32 = (libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// An epoll instance and the buffer its waits fill.
#[derive(Debug)]
pub(crate) struct Epoll {
    /// The epoll file descriptor, closed on drop.
    fd: OwnedFd,
    /// Buffer the kernel fills on each wait; allocated once, borrowed while the reactor
    /// delivers a wait's events (so a re-entrant wait is an error, not a corruption).
    events: RefCell<Events>,
}

impl Epoll {
    /// `epoll_create1(EPOLL_CLOEXEC)`, with the notifier's eventfd `notifier` registered
    /// (edge-triggered, for reading) under [`NOTIFIER_TOKEN`].
    pub(crate) fn new(notifier: RawFd) -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; a non-negative result is a fresh fd
        // that nothing else owns.
        let fd = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        // SAFETY: `fd` was just returned by the kernel and is owned by no one else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let epoll = Epoll {
            fd,
            events: RefCell::new(Events::with_capacity(EVENTS_CAPACITY)),
        };
        epoll.ctl(
            libc::EPOLL_CTL_ADD,
            notifier,
            (libc::EPOLLIN | libc::EPOLLET) as u32,
            NOTIFIER_TOKEN,
        )?;
        Ok(epoll)
    }

    /// Registers a socket-like `fd`, edge-triggered, for both directions, urgent data and
    /// peer shutdown (`EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET`).
    pub(crate) fn add(&self, fd: RawFd, token: Token) -> io::Result<()> {
        let flags =
            libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLPRI | libc::EPOLLRDHUP | libc::EPOLLET;
        self.ctl(libc::EPOLL_CTL_ADD, fd, flags as u32, token)
    }

    /// Removes `fd` from the interest list. `ENOENT` (never added, or already gone) and
    /// `EBADF` (the fd was closed first) mean there is nothing left to remove: `Ok`.
    pub(crate) fn delete(&self, fd: RawFd) -> io::Result<()> {
        match self.ctl(libc::EPOLL_CTL_DEL, fd, 0, 0) {
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::EBADF)) => Ok(()),
            other => other,
        }
    }

    /// One `epoll_ctl` call.
    fn ctl(&self, op: libc::c_int, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: token };
        // SAFETY: `event` is a valid epoll_event that lives across the call (the kernel
        // only reads it, and ignores it for EPOLL_CTL_DEL); `self.fd` is an open epoll fd.
        cvt(unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) })?;
        Ok(())
    }

    /// Blocks until at least one event or the timeout (`None` = forever), and returns the
    /// buffer holding what the kernel reported. A signal does not end the wait: it
    /// resumes with the time left ([`resume_after_signals`]).
    ///
    /// Uses `epoll_pwait2` (nanosecond timeout); on `ENOSYS` falls back for good to
    /// `epoll_wait` with the timeout rounded *up* to whole milliseconds, so the wait
    /// never ends before the timeout.
    ///
    /// # Errors
    /// The OS error of the wait, or [`reentrant_wait`] while the buffer of a previous
    /// wait is still borrowed.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> io::Result<RefMut<'_, Events>> {
        let mut events = self.events.try_borrow_mut().map_err(|_| reentrant_wait())?;
        resume_after_signals(timeout, |left| self.wait_once(&mut events, left))?;
        Ok(events)
    }

    /// One wait: `epoll_pwait2`, or `epoll_wait` where the kernel lacks it. `EINTR`
    /// comes back as an error of kind [`io::ErrorKind::Interrupted`].
    fn wait_once(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.buf.clear();
        if !PWAIT2_UNAVAILABLE.load(Ordering::Relaxed) {
            match self.pwait2(events, timeout) {
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {
                    PWAIT2_UNAVAILABLE.store(true, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        self.wait_ms(events, timeout)
    }

    /// `epoll_pwait2` through `syscall(2)` (glibc may lack the wrapper).
    fn pwait2(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        let timespec = timeout.map(kernel_timespec);
        let timespec_ptr = timespec
            .as_ref()
            .map_or(std::ptr::null(), |ts| ts as *const KernelTimespec);
        // SAFETY: the buffer pointer and `max_events` describe `events.buf`'s spare
        // capacity, which the kernel fills with at most that many entries; the timeout
        // pointer is null or points to a `__kernel_timespec` alive for the call; the
        // signal mask is null, in which case its size argument is ignored.
        let n = unsafe {
            libc::syscall(
                libc::SYS_epoll_pwait2,
                self.fd.as_raw_fd(),
                events.buf.as_mut_ptr(),
                events.max_events(),
                timespec_ptr,
                std::ptr::null::<libc::sigset_t>(),
                0usize,
            )
        };
        let n = cvt(n)?;
        // SAFETY: the kernel initialised the first `n` entries, n <= capacity.
        unsafe { events.buf.set_len(n as usize) };
        Ok(())
    }

    /// `epoll_wait` with a millisecond timeout, the fallback for kernels before 5.11.
    fn wait_ms(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        // SAFETY: the buffer pointer and `max_events` describe `events.buf`'s spare
        // capacity, which the kernel fills with at most that many entries.
        let n = cvt(unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                events.buf.as_mut_ptr(),
                events.max_events(),
                timeout_ms(timeout),
            )
        })?;
        // SAFETY: the kernel initialised the first `n` entries, n <= capacity.
        unsafe { events.buf.set_len(n as usize) };
        Ok(())
    }
}

/// A reusable buffer of epoll events, allocated once.
#[derive(Debug)]
pub(crate) struct Events {
    /// Capacity is the most events one wait returns; length is what the last wait got.
    buf: Vec<libc::epoll_event>,
}

impl Events {
    /// A buffer for up to `capacity` events per wait (at least 1).
    pub(crate) fn with_capacity(capacity: usize) -> Events {
        Events {
            buf: Vec::with_capacity(capacity.clamp(1, libc::c_int::MAX as usize)),
        }
    }

    /// `maxevents` for the kernel: the buffer's capacity.
    fn max_events(&self) -> libc::c_int {
        self.buf.capacity() as libc::c_int
    }

    /// Number of events the last wait returned.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// The events of the last wait, decoded.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.buf.iter().map(|raw| {
            // Copy the fields out first: `epoll_event` is packed on x86_64.
            let (flags, token) = (raw.events, raw.u64);
            Event {
                token,
                readable: flags & READ_FLAGS != 0,
                writable: flags & WRITE_FLAGS != 0,
                read_sticky: flags & READ_STICKY_FLAGS != 0,
                write_sticky: flags & WRITE_STICKY_FLAGS != 0,
            }
        })
    }
}

/// The kernel's `struct __kernel_timespec`: 64-bit fields on every architecture,
/// unlike `libc::timespec`.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct KernelTimespec {
    /// Whole seconds.
    tv_sec: i64,
    /// Nanoseconds, below 1e9.
    tv_nsec: i64,
}

/// A `Duration` as a kernel timespec, saturating at `i64::MAX` seconds.
fn kernel_timespec(timeout: Duration) -> KernelTimespec {
    KernelTimespec {
        tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(timeout.subsec_nanos()),
    }
}

/// `epoll_wait`'s millisecond timeout: `-1` for none, else rounded up (so a wait never
/// ends early) and saturated at `c_int::MAX`.
fn timeout_ms(timeout: Option<Duration>) -> libc::c_int {
    match timeout {
        None => -1,
        Some(d) => {
            let ms = d.as_nanos().div_ceil(1_000_000);
            libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::eventfd::eventfd;
    use std::time::Instant;

    /// An epoll instance with a fresh eventfd as its notifier (kept open by the caller).
    fn epoll() -> (Epoll, OwnedFd) {
        let notifier = eventfd().unwrap();
        (Epoll::new(notifier.as_raw_fd()).unwrap(), notifier)
    }

    #[test]
    fn millisecond_timeouts_round_up() {
        assert_eq!(timeout_ms(None), -1);
        assert_eq!(timeout_ms(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_ms(Some(Duration::from_nanos(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_millis(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_micros(1_001))), 2);
        assert_eq!(timeout_ms(Some(Duration::MAX)), libc::c_int::MAX);
    }

    #[test]
    fn kernel_timespec_splits_and_saturates() {
        let ts = kernel_timespec(Duration::new(3, 5));
        assert_eq!((ts.tv_sec, ts.tv_nsec), (3, 5));
        assert_eq!(kernel_timespec(Duration::MAX).tv_sec, i64::MAX);
    }

    #[test]
    fn fallback_wait_never_ends_early() {
        let (epoll, _notifier) = epoll();
        let mut events = Events::with_capacity(8);
        for _ in 0..5 {
            let start = Instant::now();
            epoll
                .wait_ms(&mut events, Some(Duration::from_micros(1_500)))
                .unwrap();
            assert!(start.elapsed() >= Duration::from_micros(1_500));
            assert_eq!(events.len(), 0);
        }
    }

    #[test]
    fn delete_of_unknown_fd_is_ok() {
        let (epoll, _notifier) = epoll();
        let fd = eventfd().unwrap();
        epoll.delete(fd.as_raw_fd()).unwrap();
        epoll.delete(-1).unwrap();
    }
}
