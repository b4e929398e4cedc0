//! The questions `AsyncFd::new` asks the OS about a file descriptor: whether it is
//! non-blocking (`fcntl(F_GETFL)`), whether epoll would watch it (on the backends that
//! would accept anything), and, when refused, what kind of file it is (`fstat`, for the
//! error message). The crate's only `unsafe`.

#![allow(unsafe_code)]

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::RawFd;

/// What kind of file `fd` is, as far as the loop cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file: epoll refuses it (it is always "ready"; reads may still wait on
    /// the disk).
    Regular,
    /// A directory: nothing to read or write as a stream.
    Directory,
    /// Anything else: a pipe, socket, tty, character device, eventfd, ...
    Other,
}

/// The kind of file `fd` refers to (`fstat`).
pub(crate) fn kind(fd: RawFd) -> io::Result<Kind> {
    let mut stat = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `stat` is writable for a whole `struct stat`, which fstat fills on success.
    if unsafe { libc::fstat(fd, stat.as_mut_ptr()) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fstat succeeded, so it initialized `stat`.
    let mode = unsafe { stat.assume_init() }.st_mode & libc::S_IFMT;
    Ok(match mode {
        libc::S_IFREG => Kind::Regular,
        libc::S_IFDIR => Kind::Directory,
        _ => Kind::Other,
    })
}

/// Whether `fd`'s open file description has `O_NONBLOCK` set.
pub(crate) fn is_nonblocking(fd: RawFd) -> io::Result<bool> {
    // SAFETY: F_GETFL takes no pointer argument; a bad fd gives -1 and EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags & libc::O_NONBLOCK != 0)
}

/// Whether epoll accepts `fd` (it refuses, with `EPERM`, files that cannot be polled:
/// regular files and directories), asked of a throwaway epoll instance.
pub(crate) fn epoll_accepts(fd: RawFd) -> io::Result<bool> {
    // SAFETY: no pointer arguments; the result is checked.
    let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if ep == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `ep` is a fresh epoll fd that nothing else owns; it is closed when this drops.
    let ep = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(ep) };
    let mut event = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: 0,
    };
    // SAFETY: `event` is a valid `epoll_event`; both fds are open.
    let rc = unsafe {
        libc::epoll_ctl(
            std::os::fd::AsRawFd::as_raw_fd(&ep),
            libc::EPOLL_CTL_ADD,
            fd,
            &mut event,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EPERM) => Ok(false),
        _ => Err(err),
    }
}
