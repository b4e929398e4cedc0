//! The OS boundary: one file per readiness backend ([`epoll`], [`poll`], [`select`];
//! io_uring's, [`uring`], is a folder: it also does completion I/O),
//! the eventfd behind the notifier, and the thread's timer slack. Everything `unsafe` in
//! this crate lives in these files; the modules above see owned file descriptors, plain
//! tokens and decoded [`Event`]s.
//!
//! The backends share this module's vocabulary: a [`Watch`] is what the reactor asks a
//! level-triggered backend to look at for one wait, an [`Event`] is what any backend
//! reports back, and [`resume_after_signals`] is how every one of them treats `EINTR`.

pub(crate) mod epoll;
pub(crate) mod eventfd;
pub(crate) mod poll;
pub(crate) mod select;
pub(crate) mod timer_slack;
pub(crate) mod uring;

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use crate::slab::Token;

/// One readiness report, decoded from whatever the backend's system call returned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    /// The registration's token (or the notifier's).
    pub(crate) token: Token,
    /// The fd became readable (data, peer shutdown, hang-up or error).
    pub(crate) readable: bool,
    /// The fd became writable (space, hang-up or error).
    pub(crate) writable: bool,
    /// Urgent data, peer shutdown, hang-up or error: a short read no longer proves the
    /// socket drained.
    pub(crate) read_sticky: bool,
    /// Hang-up or error: a short write no longer proves the send buffer full.
    pub(crate) write_sticky: bool,
}

/// One fd a level-triggered backend (`poll`, `select`) hands the kernel for one wait:
/// only the directions a task waits on, so that a level that nobody consumes (data
/// nobody reads yet, a socket that is always writable) never ends a wait.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Watch {
    /// The registered fd.
    pub(crate) fd: RawFd,
    /// Its registration's token.
    pub(crate) token: Token,
    /// A task waits to read.
    pub(crate) read: bool,
    /// A task waits to write.
    pub(crate) write: bool,
}

/// Runs `wait` with `timeout`, and again with the time left each time a signal
/// interrupts it (`EINTR`), so that a signal never ends a wait early: a process that
/// gets frequent signals (a profiler's `SIGPROF`, say) waits as long as one that gets
/// none. `None` waits forever and stays so; once the time is up, the last call only
/// polls (`Some(Duration::ZERO)`).
///
/// The clock is read only for a finite, non-zero timeout, and only once before the
/// first call: the hot paths (polling, waiting forever) never read it.
pub(crate) fn resume_after_signals<T>(
    timeout: Option<Duration>,
    mut wait: impl FnMut(Option<Duration>) -> io::Result<T>,
) -> io::Result<T> {
    let deadline = match timeout {
        Some(t) if !t.is_zero() => Instant::now().checked_add(t),
        _ => None,
    };
    let mut left = timeout;
    loop {
        match wait(left) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                if let Some(deadline) = deadline {
                    left = Some(deadline.saturating_duration_since(Instant::now()));
                }
            }
            result => return result,
        }
    }
}

/// The error of a wait started from inside a waker that a wait of the same reactor is
/// running (its buffer is still in use).
pub(crate) fn reentrant_wait() -> io::Error {
    io::Error::other("Reactor::wait called re-entrantly (from a waker woken by the same wait)")
}

/// A `Duration` as a `libc::timespec` (for `ppoll` and `pselect`), saturating at the
/// largest `time_t`.
pub(crate) fn timespec(timeout: Duration) -> libc::timespec {
    libc::timespec {
        tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
        // Below 1e9: fits every `c_long`.
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    }
}

/// Turns a libc-style `-1` result into `io::Error::last_os_error()`.
pub(crate) fn cvt<T: Default + PartialOrd + Copy>(result: T) -> io::Result<T> {
    if result < T::default() {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// Fails with `EBADF` unless `fd` is an open file descriptor (`fcntl(F_GETFD)`): what
/// `epoll_ctl` says for a closed fd, which `poll` and `select` would otherwise only
/// report at a later wait (or, for `select`, as a failure of the whole wait).
pub(crate) fn check_open(fd: RawFd) -> io::Result<()> {
    if fd < 0 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    #[allow(unsafe_code)]
    // SAFETY: F_GETFD takes no pointer and only reads the descriptor's flags.
    cvt(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
    Ok(())
}

/// An fd number at or above `min` that was open and is closed now, which no other test
/// of the crate's binary reaches (they open a handful of fds each, from the lowest free
/// number; the callers of this function each pass their own `min`).
#[cfg(test)]
#[allow(unsafe_code)]
pub(crate) fn closed_fd(min: RawFd) -> RawFd {
    use std::os::fd::AsRawFd;
    let fd = eventfd::eventfd().unwrap();
    // SAFETY: F_DUPFD_CLOEXEC takes an integer and returns a new fd (or -1).
    let high = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, min) };
    assert!(high >= min, "{}", io::Error::last_os_error());
    // SAFETY: `high` was just returned by fcntl and nothing else owns it.
    assert_eq!(unsafe { libc::close(high) }, 0);
    high
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn timespec_splits_and_saturates() {
        let ts = timespec(Duration::new(3, 5));
        assert_eq!((ts.tv_sec, ts.tv_nsec), (3, 5));
        assert_eq!(timespec(Duration::MAX).tv_sec, libc::time_t::MAX);
    }

    #[test]
    fn an_interrupted_wait_resumes_with_the_time_left() {
        let calls = Cell::new(Vec::new());
        let timeout = Duration::from_millis(50);
        let result = resume_after_signals(Some(timeout), |left| {
            let mut seen = calls.take();
            seen.push(left);
            let n = seen.len();
            calls.set(seen);
            if n < 3 {
                std::thread::sleep(Duration::from_millis(5));
                Err(io::Error::from_raw_os_error(libc::EINTR))
            } else {
                Ok(n)
            }
        });
        assert_eq!(result.unwrap(), 3);
        let seen = calls.take();
        assert_eq!(seen[0], Some(timeout));
        let (second, third) = (seen[1].unwrap(), seen[2].unwrap());
        assert!(second <= timeout - Duration::from_millis(5), "{second:?}");
        assert!(third <= second - Duration::from_millis(5), "{third:?}");
    }

    #[test]
    fn forever_and_zero_stay_so_and_other_errors_pass_through() {
        for timeout in [None, Some(Duration::ZERO)] {
            let mut calls = 0;
            let result: io::Result<()> = resume_after_signals(timeout, |left| {
                assert_eq!(left, timeout);
                calls += 1;
                match calls {
                    1 => Err(io::Error::from_raw_os_error(libc::EINTR)),
                    _ => Err(io::Error::from_raw_os_error(libc::EBADF)),
                }
            });
            assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::EBADF));
            assert_eq!(calls, 2);
        }
    }

    #[test]
    fn once_the_time_is_up_the_last_wait_only_polls() {
        let mut lefts = Vec::new();
        let result = resume_after_signals(Some(Duration::from_millis(1)), |left| {
            lefts.push(left);
            if lefts.len() == 1 {
                std::thread::sleep(Duration::from_millis(3));
                Err(io::Error::from_raw_os_error(libc::EINTR))
            } else {
                Ok(())
            }
        });
        result.unwrap();
        assert_eq!(
            lefts,
            [Some(Duration::from_millis(1)), Some(Duration::ZERO)]
        );
    }

    #[test]
    fn check_open_tells_open_from_closed() {
        use std::os::fd::AsRawFd;
        let fd = eventfd::eventfd().unwrap();
        check_open(fd.as_raw_fd()).unwrap();
        assert_eq!(
            check_open(-1).unwrap_err().raw_os_error(),
            Some(libc::EBADF)
        );
        assert_eq!(
            check_open(i32::MAX).unwrap_err().raw_os_error(),
            Some(libc::EBADF)
        );
    }
}
