//! Unix socket paths as users give them (`impl AsRef<Path>`, a leading `'\0'` for the
//! abstract namespace), and errors that name the path and say what to do.

use std::fs;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use crate::sys::{self, RawAddr};

/// Encodes `path` as a socket address.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] for an empty path, an inner NUL, or a path too long
/// for a socket address.
pub(crate) fn to_raw(path: &Path) -> io::Result<RawAddr> {
    sys::unix::to_raw(path.as_os_str().as_bytes())
}

/// `path` as a message shows it: quoted, an abstract name with its leading `\0`.
pub(crate) fn show(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    match bytes.split_first() {
        Some((0, name)) => format!("\"\\0{}\" (abstract)", name.escape_ascii()),
        _ => format!("{path:?}"),
    }
}

/// Whether `path` names the abstract namespace (nothing on disk).
fn is_abstract(path: &Path) -> bool {
    path.as_os_str().as_bytes().first() == Some(&0)
}

/// `e`, with `what` ("cannot bind", ...) and the path in its message, its kind kept.
pub(crate) fn context(e: io::Error, what: &str, path: &Path) -> io::Error {
    let hint = match e.raw_os_error() {
        Some(libc::ECONNREFUSED) if !is_abstract(path) => {
            " (the socket file exists but no server listens on it: a stale file left by a \
             server that exited?)"
        }
        Some(libc::ENOENT) => " (no such socket: is the server running?)",
        _ => "",
    };
    io::Error::new(
        e.kind(),
        format!("{what} the Unix socket {}: {e}{hint}", show(path)),
    )
}

/// The error for binding to `path` when the kernel said `EADDRINUSE`: it says whether a
/// server listens there or a stale socket file is in the way, and what to do.
///
/// Telling them apart takes a `stat` and a non-blocking `connect` (neither waits).
pub(crate) fn in_use(e: io::Error, path: &Path) -> io::Error {
    let why = if is_abstract(path) {
        "another socket is bound to this abstract name".to_owned()
    } else if !fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
        "a file that is not a socket is in the way".to_owned()
    } else if server_listens(path) {
        "another server listens on it".to_owned()
    } else {
        "a socket file is there but no server listens on it (a stale file left by a server \
         that exited?): remove it (std::fs::remove_file) and bind again"
            .to_owned()
    };
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("cannot bind the Unix socket {}: {e}: {why}", show(path)),
    )
}

/// Whether a non-blocking connect to `path` finds a listener (accepted, or refused only
/// because its backlog is full).
fn server_listens(path: &Path) -> bool {
    let Ok(raw) = to_raw(path) else {
        return false;
    };
    let Ok(probe) = sys::socket(libc::AF_UNIX, libc::SOCK_STREAM) else {
        return false;
    };
    match sys::connect(probe.as_raw_fd(), &raw) {
        Ok(()) => true,
        Err(e) => e.raw_os_error() == Some(libc::EAGAIN),
    }
}
