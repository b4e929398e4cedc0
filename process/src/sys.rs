//! The process system calls: `pidfd_open`, `waitpid`, `kill`, `fcntl` for non-blocking
//! pipes, and the `eventfd` and `poll` the background reaper sleeps on. The crate's only
//! `unsafe`; each wrapper retries `EINTR` where a retry is right.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

use libc::c_int;

/// Turns a `-1` return into the thread's `errno`.
fn cvt(ret: c_int) -> io::Result<c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// A pidfd for our child `pid` (Linux 5.3+), close-on-exec: readable once the child
/// exits. `ENOSYS` on older kernels, `EPERM` under some seccomp filters.
pub(crate) fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    // SAFETY: pidfd_open takes a pid and flags, no pointers; on success it returns a new
    // fd (close-on-exec by definition) that nothing else owns.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the syscall succeeded, so `fd` is a fresh fd owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Reaps `pid` if it has exited (`waitpid` with `WNOHANG`): `Some(status)` then, `None`
/// while it runs.
///
/// # Errors
/// `ECHILD` if `pid` is not our unreaped child (someone else reaped it).
pub(crate) fn try_reap(pid: u32) -> io::Result<Option<ExitStatus>> {
    let mut status: c_int = 0;
    loop {
        // SAFETY: `status` is a live, writable int for the kernel to fill.
        let ret = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
        match ret {
            0 => return Ok(None),
            -1 => {
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
            _ => return Ok(Some(ExitStatus::from_raw(status))),
        }
    }
}

/// Sends `signal` to `pid`. Safe from pid reuse as long as `pid` is our child and not
/// yet reaped (a zombie keeps its pid).
pub(crate) fn kill(pid: u32, signal: c_int) -> io::Result<()> {
    // SAFETY: kill takes no pointers.
    cvt(unsafe { libc::kill(pid as libc::pid_t, signal) })?;
    Ok(())
}

/// Sets `O_NONBLOCK` on `fd`'s open file description (a pipe end only we hold).
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: F_GETFL and F_SETFL take no pointers; a bad fd fails with EBADF.
    let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    // SAFETY: as above.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) })?;
    Ok(())
}

/// A new close-on-exec eventfd: the reaper's doorbell.
pub(crate) fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: eventfd takes no pointers; on success the fd is new and ours.
    let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
    // SAFETY: eventfd succeeded, so `fd` is a fresh fd owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Rings the doorbell: adds 1 to the eventfd's counter.
pub(crate) fn ring(fd: BorrowedFd<'_>) {
    let one: u64 = 1;
    // SAFETY: `one` is 8 readable bytes, as an eventfd write requires. A full counter
    // (EAGAIN) already means "rung", so the result is of no interest.
    unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
}

/// Silences the doorbell: resets the eventfd's counter (non-blocking).
pub(crate) fn drain(fd: BorrowedFd<'_>) {
    let mut count: u64 = 0;
    // SAFETY: `count` is 8 writable bytes, as an eventfd read requires. EAGAIN (not rung)
    // is fine.
    unsafe { libc::read(fd.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
}

/// Waits until one of `fds` is readable or `timeout` passes (`None`: no limit).
/// Interruptions return early, which the caller's loop absorbs.
pub(crate) fn poll_readable(fds: &[RawFd], timeout: Option<Duration>) -> io::Result<()> {
    let mut pollfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let timeout = timeout.map_or(-1, |d| c_int::try_from(d.as_millis()).unwrap_or(c_int::MAX));
    // SAFETY: `pollfds` is a live array of `pollfds.len()` pollfd structs.
    let ret = unsafe { libc::poll(pollfds.as_mut_ptr(), pollfds.len() as libc::nfds_t, timeout) };
    match cvt(ret) {
        Err(e) if e.kind() != io::ErrorKind::Interrupted => Err(e),
        _ => Ok(()),
    }
}
