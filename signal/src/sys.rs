//! The OS boundary: the self-pipe, `sigaction`, the signal handler itself, and `raise`.
//!
//! Everything `unsafe` in this crate lives in this file. The handler is the one piece of
//! code that runs inside a signal, so it may only do async-signal-safe things: it stores
//! one atomic flag ([`registry::record`]) and `write(2)`s one byte to the non-blocking
//! write end of the pipe, saving and restoring `errno` around both.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

use libc::{c_int, c_void};

use crate::registry;

/// The write end of the self-pipe, for the handler; `-1` until [`set_handler_pipe`] ran.
/// A raw fd in an atomic because the handler may read nothing that needs a lock.
static HANDLER_PIPE: AtomicI32 = AtomicI32::new(-1);

/// Turns a `-1` return into the thread's `errno` as an [`io::Error`].
fn cvt(ret: c_int) -> io::Result<c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// A new pipe, both ends non-blocking and close-on-exec: `(read, write)`.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as c_int; 2];
    // SAFETY: `fds` is a writable array of two ints, as pipe2 requires; the flags make
    // both ends non-blocking and close-on-exec in the same call.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nobody else; each
    // `OwnedFd` closes its fd exactly once.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Tells the handler which fd to write to. `write` must stay open for the rest of the
/// process (the registry keeps it in a `static`); call before installing any handler.
pub(crate) fn set_handler_pipe(write: &'static OwnedFd) {
    HANDLER_PIPE.store(write.as_raw_fd(), Ordering::SeqCst);
}

/// Reads everything the pipe holds, until `EAGAIN` (or end of file, which cannot happen
/// while the registry keeps the write end open). `EINTR` is retried.
pub(crate) fn drain(read: &OwnedFd) -> io::Result<()> {
    let mut buf = [0u8; 128];
    loop {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole call, and
        // `read` is an open fd.
        let n = unsafe { libc::read(read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        match n {
            0 => return Ok(()),
            -1 => {
                let err = io::Error::last_os_error();
                match err.kind() {
                    io::ErrorKind::WouldBlock => return Ok(()),
                    io::ErrorKind::Interrupted => {}
                    _ => return Err(err),
                }
            }
            _ => {}
        }
    }
}

/// Installs [`on_signal`] as the handler of `signum`, with `SA_RESTART` (so that
/// blocking calls of other threads resume instead of failing with `EINTR`) and an empty
/// mask. Replaces the previous disposition, default or not.
pub(crate) fn install_handler(signum: c_int) -> io::Result<()> {
    // SAFETY: an all-zero `sigaction` is a valid value of this plain C struct (no
    // handler, no flags, an empty mask) that the lines below fill in.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `action.sa_mask` is a valid, writable sigset_t.
    cvt(unsafe { libc::sigemptyset(&mut action.sa_mask) })?;
    // SAFETY: `action` is fully initialised and outlives the call; a null old-action
    // pointer is allowed. The handler it installs is async-signal-safe (see `on_signal`)
    // and lives for the whole program, like every `fn`.
    cvt(unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) })?;
    Ok(())
}

/// The signal handler: marks `signum` pending and wakes the loops through the pipe.
///
/// Async-signal-safe: one atomic store, one atomic load, one `write(2)` to a
/// non-blocking fd (a full pipe fails with `EAGAIN`, which is fine: a wake-up is then
/// already pending), and `errno` saved and restored so the interrupted code never sees
/// the handler's.
extern "C" fn on_signal(signum: c_int) {
    // SAFETY: `__errno_location` returns the calling thread's errno slot, which is valid
    // for the thread's lifetime; reading and writing it is what C code does with `errno`.
    let saved_errno = unsafe { *libc::__errno_location() };
    registry::record(signum);
    let fd = HANDLER_PIPE.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `byte` lives across the call and is one readable byte; `fd` is the
        // write end the registry keeps open forever. write(2) is async-signal-safe.
        unsafe { libc::write(fd, (&byte as *const u8).cast::<c_void>(), 1) };
    }
    // SAFETY: as above: this thread's errno slot.
    unsafe { *libc::__errno_location() = saved_errno };
}

/// Sends `signum` to the calling thread (`raise(3)`); a handler for it runs before this
/// returns.
pub(crate) fn raise(signum: c_int) -> io::Result<()> {
    // SAFETY: `raise` takes no pointers. What the signal then does is the disposition the
    // caller chose: with evloop's handler installed, it only records the delivery.
    match unsafe { libc::raise(signum) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}
