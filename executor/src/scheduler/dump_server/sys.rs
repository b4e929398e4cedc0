//! The dump server's system calls: a Unix stream socket listening at a path only its
//! owner may connect to, connections accepted without blocking, their peers' user ids,
//! and non-blocking reads and writes. The one file of the server with `unsafe`.

use std::ffi::CString;
use std::io;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// How many connections may wait for an accept.
const BACKLOG: libc::c_int = 16;

/// A non-blocking Unix stream socket listening at `path`, mode 0600 (only this user, and
/// root, may connect). A socket already at `path` that this user owns is removed first:
/// its name holds this process's id, so it was left by a process that reused the id and
/// did not exit cleanly (or by a loop of this process that was leaked). Anything else at
/// `path` is left alone, and binding fails with `AddrInUse`.
pub(super) fn listen_at(path: &Path) -> io::Result<OwnedFd> {
    // SAFETY: plain socket(2); the result is checked before it is owned.
    let fd = cvt(unsafe {
        libc::socket(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    })?;
    // SAFETY: `fd` is a new socket that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let (addr, len) = unix_addr(path)?;
    let bind = || {
        // SAFETY: `addr` is a valid `sockaddr_un` of `len` bytes.
        cvt(unsafe { libc::bind(fd.as_raw_fd(), (&raw const addr).cast(), len) })
    };
    if let Err(err) = bind() {
        if err.kind() != io::ErrorKind::AddrInUse || !is_own_socket(path) {
            return Err(err);
        }
        std::fs::remove_file(path)?;
        bind()?;
    }
    // Only now may anyone connect (connecting needs a listening socket), so no client
    // can slip in while the mode is still the umask's.
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in the path"))?;
    // SAFETY: `c_path` is a NUL-terminated path.
    if let Err(err) = cvt(unsafe { libc::chmod(c_path.as_ptr(), 0o600) }) {
        let _ = std::fs::remove_file(path);
        return Err(err);
    }
    // SAFETY: listen(2) on a bound socket we own.
    if let Err(err) = cvt(unsafe { libc::listen(fd.as_raw_fd(), BACKLOG) }) {
        let _ = std::fs::remove_file(path);
        return Err(err);
    }
    Ok(fd)
}

/// Is there a socket at `path` that belongs to this process's user?
fn is_own_socket(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .is_ok_and(|meta| meta.file_type().is_socket() && meta.uid() == euid())
}

/// `path` as a `sockaddr_un` and its length.
fn unix_addr(path: &Path) -> io::Result<(libc::sockaddr_un, libc::socklen_t)> {
    // SAFETY: `sockaddr_un` is plain old data: all zeroes is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_os_str().as_bytes();
    if bytes.len() >= addr.sun_path.len() || bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the dump socket path {} does not fit a Unix socket address (at most {} bytes): \
                 set XDG_RUNTIME_DIR to a shorter directory",
                path.display(),
                addr.sun_path.len() - 1
            ),
        ));
    }
    for (dst, &src) in addr.sun_path.iter_mut().zip(bytes) {
        *dst = src as libc::c_char;
    }
    let len = std::mem::offset_of!(libc::sockaddr_un, sun_path) + bytes.len() + 1;
    Ok((addr, len as libc::socklen_t))
}

/// Accepts a connection on `listener`, non-blocking and close-on-exec; `None` when none
/// is waiting.
pub(super) fn accept(listener: RawFd) -> io::Result<Option<OwnedFd>> {
    loop {
        // SAFETY: accept4(2) without an address buffer.
        let fd = unsafe {
            libc::accept4(
                listener,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        };
        match cvt(fd) {
            // SAFETY: a new connection that nothing else owns.
            Ok(fd) => return Ok(Some(unsafe { OwnedFd::from_raw_fd(fd) })),
            Err(err) => match would_block(err)? {
                Some(()) => return Ok(None),
                None => continue,
            },
        }
    }
}

/// The user id of the process at the other end of connection `fd`.
pub(super) fn peer_uid(fd: RawFd) -> io::Result<u32> {
    // SAFETY: `ucred` is plain old data.
    let mut cred: libc::ucred = unsafe { zeroed() };
    let mut len = size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` is writable for `len` bytes.
    cvt(unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &mut len,
        )
    })?;
    Ok(cred.uid)
}

/// This process's effective user id.
pub(super) fn euid() -> u32 {
    // SAFETY: geteuid(2) cannot fail.
    unsafe { libc::geteuid() }
}

/// Reads into `buf` without blocking: `None` if nothing is there yet, `Some(0)` at EOF.
pub(super) fn read(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    loop {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        match cvt_size(n) {
            Ok(n) => return Ok(Some(n)),
            Err(err) => match would_block(err)? {
                Some(()) => return Ok(None),
                None => continue,
            },
        }
    }
}

/// Writes from `buf` without blocking (and without `SIGPIPE` if the reader left):
/// `None` if the socket's buffer is full.
pub(super) fn write(fd: RawFd, buf: &[u8]) -> io::Result<Option<usize>> {
    loop {
        // SAFETY: `buf` is readable for its length.
        let n = unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) };
        match cvt_size(n) {
            Ok(n) => return Ok(Some(n)),
            Err(err) => match would_block(err)? {
                Some(()) => return Ok(None),
                None => continue,
            },
        }
    }
}

/// `Some(())` for `EAGAIN`, `None` for `EINTR` (try again), the error otherwise.
fn would_block(err: io::Error) -> io::Result<Option<()>> {
    match err.kind() {
        io::ErrorKind::WouldBlock => Ok(Some(())),
        io::ErrorKind::Interrupted => Ok(None),
        _ => Err(err),
    }
}

/// A libc return value, or the `errno` it stands for.
fn cvt(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// A libc byte count, or the `errno` it stands for.
fn cvt_size(n: libc::ssize_t) -> io::Result<usize> {
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}
