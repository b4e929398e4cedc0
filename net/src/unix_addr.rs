//! [`SocketAddr`]: the address of a Unix socket: a path, an abstract name, or none.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::sys::unix::{path_bytes, SUN_PATH_LEN};
use crate::sys::RawAddr;

/// The address of a Unix socket, from `local_addr`, `peer_addr`, `accept` or
/// `recv_from`: a path in the file system, a name in Linux's abstract namespace, or
/// *unnamed* (a socket never bound, such as a connecting client or either end of a
/// `pair()`).
///
/// Like [`std::os::unix::net::SocketAddr`]; kept inline (no allocation per datagram).
///
/// ```
/// use evloop_net::{UnixListener, UnixStream};
///
/// evloop_executor::run(async {
///     let path = std::env::temp_dir().join(format!("evloop-addr-{}.sock", std::process::id()));
///     # let _ = std::fs::remove_file(&path);
///     let listener = UnixListener::bind(&path)?;
///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
///     let client = UnixStream::connect(&path).await?;
///     let (_server, peer) = listener.accept().await?;
///     assert!(peer.is_unnamed()); // the client never bound a path
///     assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
///     std::fs::remove_file(&path)
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SocketAddr {
    /// The used bytes of `sun_path`: empty (unnamed), a NUL and the name (abstract), or
    /// the path without its terminating NUL; zero past `len`.
    bytes: [u8; SUN_PATH_LEN],
    /// How many bytes of `bytes` are used.
    len: usize,
}

impl SocketAddr {
    /// Decodes an address the kernel wrote.
    pub(crate) fn from_raw(raw: &RawAddr) -> io::Result<SocketAddr> {
        let (bytes, len) = path_bytes(raw)?;
        Ok(SocketAddr { bytes, len })
    }

    /// The used bytes of `sun_path`.
    fn used(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The path, if the socket is bound to one in the file system.
    ///
    /// ```
    /// use evloop_net::UnixStream;
    /// evloop_executor::run(async {
    ///     let (a, _b) = UnixStream::pair().unwrap();
    ///     assert_eq!(a.local_addr().unwrap().as_pathname(), None);
    /// });
    /// ```
    pub fn as_pathname(&self) -> Option<&Path> {
        match self.used() {
            [] | [0, ..] => None,
            path => Some(Path::new(OsStr::from_bytes(path))),
        }
    }

    /// The name in Linux's abstract namespace (without the leading NUL), if the socket is
    /// bound to one. Bind to an abstract name by giving a path that starts with `'\0'`.
    ///
    /// ```
    /// use evloop_net::UnixListener;
    /// evloop_executor::run(async {
    ///     let name = format!("\0evloop-doc-{}", std::process::id());
    ///     let listener = UnixListener::bind(&name).unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
    ///     assert_eq!(addr.as_pathname(), None); // nothing on disk
    /// });
    /// ```
    pub fn as_abstract_name(&self) -> Option<&[u8]> {
        match self.used() {
            [0, name @ ..] => Some(name),
            _ => None,
        }
    }

    /// Whether the socket has no address (it was never bound).
    ///
    /// ```
    /// use evloop_net::UnixStream;
    /// evloop_executor::run(async {
    ///     let (a, b) = UnixStream::pair().unwrap();
    ///     assert!(a.local_addr().unwrap().is_unnamed());
    ///     assert!(b.peer_addr().unwrap().is_unnamed());
    /// });
    /// ```
    pub fn is_unnamed(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for SocketAddr {
    /// As std's: `"/run/app.sock" (pathname)`, `"name" (abstract)`, `(unnamed)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = self.as_pathname() {
            write!(f, "{path:?} (pathname)")
        } else if let Some(name) = self.as_abstract_name() {
            write!(f, "\"{}\" (abstract)", name.escape_ascii())
        } else {
            f.write_str("(unnamed)")
        }
    }
}
