//! The eventfd behind the [`Notifier`](crate::Notifier): create, bump, drain.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::cvt;

/// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`.
pub(crate) fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: eventfd takes no pointers; a non-negative result is a fresh fd.
    let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
    // SAFETY: `fd` was just returned by the kernel and is owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Adds 1 to an eventfd's counter. The counter saturating (`EAGAIN`) is fine: the
/// reader is due to wake anyway.
pub(crate) fn eventfd_write(fd: &OwnedFd) -> io::Result<()> {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a live, aligned `u64`; `fd` is open for the call.
    let n = unsafe {
        libc::write(
            fd.as_raw_fd(),
            (&one as *const u64).cast::<libc::c_void>(),
            std::mem::size_of::<u64>(),
        )
    };
    match cvt(n) {
        Err(e) if e.kind() != io::ErrorKind::WouldBlock => Err(e),
        _ => Ok(()),
    }
}

/// Resets an eventfd's counter to zero; returns whether it was non-zero.
pub(crate) fn eventfd_drain(fd: &OwnedFd) -> io::Result<bool> {
    let mut count: u64 = 0;
    // SAFETY: reads at most 8 bytes into a live, aligned `u64`; `fd` is open for the call.
    let n = unsafe {
        libc::read(
            fd.as_raw_fd(),
            (&mut count as *mut u64).cast::<libc::c_void>(),
            std::mem::size_of::<u64>(),
        )
    };
    match cvt(n) {
        Ok(_) => Ok(count != 0),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eventfd_round_trip() {
        let fd = eventfd().unwrap();
        assert!(!eventfd_drain(&fd).unwrap());
        eventfd_write(&fd).unwrap();
        eventfd_write(&fd).unwrap();
        assert!(eventfd_drain(&fd).unwrap());
        assert!(!eventfd_drain(&fd).unwrap());
    }
}
