//! Unix socket addresses: a path (or an abstract name) to and from `sockaddr_un`.
//!
//! Linux knows three kinds: a *pathname* (a file in the file system, `sun_path` holding
//! the path and a terminating NUL), an *abstract* name (`sun_path[0]` is NUL, the name is
//! the bytes after it, nothing on disk), and *unnamed* (a socket that was never bound:
//! the address is only the family).

use std::io;
use std::mem::{offset_of, size_of};

use libc::{sockaddr_storage, sockaddr_un, socklen_t};

use super::RawAddr;

/// The room `sockaddr_un` has for a path or an abstract name (108 bytes on Linux).
pub(crate) const SUN_PATH_LEN: usize = size_of::<[libc::c_char; 108]>();

/// Where `sun_path` starts in a `sockaddr_un`: the length of an unnamed address.
const PATH_OFFSET: usize = offset_of!(sockaddr_un, sun_path);

/// Encodes `bytes` as a `sockaddr_un`: an abstract name if it starts with a NUL byte
/// (the convention of tokio and of Linux itself), otherwise a path, NUL-terminated.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] for an empty path, a path with a NUL byte inside, or
/// one too long for `sun_path` (107 bytes and a NUL; 108 for an abstract name).
pub(crate) fn to_raw(bytes: &[u8]) -> io::Result<RawAddr> {
    let abstract_name = bytes.first() == Some(&0);
    let room = if abstract_name {
        SUN_PATH_LEN
    } else {
        SUN_PATH_LEN - 1
    };
    let shown = String::from_utf8_lossy(bytes);
    if bytes.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an empty Unix socket path: give a file path, or a name starting with '\\0' for \
             the abstract namespace",
        ));
    }
    if !abstract_name && bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the Unix socket path {shown:?} contains a NUL byte"),
        ));
    }
    if bytes.len() > room {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the Unix socket path {shown:?} is {} bytes long; at most {room} fit in a \
                 socket address (use a shorter or a relative path)",
                bytes.len()
            ),
        ));
    }
    let mut raw = RawAddr::buffer();
    // SAFETY: `sockaddr_storage` is large and aligned enough for a `sockaddr_un`, and
    // `raw` is all zeroes, a valid `sockaddr_un`; the reference lives for this block.
    let sun = unsafe { &mut *(&mut raw.storage as *mut sockaddr_storage).cast::<sockaddr_un>() };
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (dst, &src) in sun.sun_path.iter_mut().zip(bytes) {
        *dst = src as libc::c_char;
    }
    // A path keeps its terminating NUL (already zero) inside the length; a name does not.
    let len = PATH_OFFSET + bytes.len() + usize::from(!abstract_name);
    raw.len = len as socklen_t;
    Ok(raw)
}

/// The bytes of `sun_path` that an address the kernel wrote uses: empty for an unnamed
/// socket, a NUL and the name for an abstract one, the path (without its terminating
/// NUL) for a pathname one.
///
/// A datagram from an unnamed socket comes with an empty address (length 0, no family):
/// unnamed too.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] if the address is not `AF_UNIX`.
pub(crate) fn path_bytes(raw: &RawAddr) -> io::Result<([u8; SUN_PATH_LEN], usize)> {
    if raw.len() == 0 {
        return Ok(([0; SUN_PATH_LEN], 0));
    }
    if raw.family() != libc::AF_UNIX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "expected a Unix socket address, got family {}",
                raw.family()
            ),
        ));
    }
    // SAFETY: the family says the storage holds a `sockaddr_un`; `sockaddr_storage` is
    // large and aligned enough for it, and every byte of it is initialized.
    let sun = unsafe { &*(&raw.storage as *const sockaddr_storage).cast::<sockaddr_un>() };
    let used = raw.len().saturating_sub(PATH_OFFSET).min(SUN_PATH_LEN);
    let mut bytes = [0u8; SUN_PATH_LEN];
    for (dst, &src) in bytes.iter_mut().zip(&sun.sun_path[..used]) {
        *dst = src as u8;
    }
    let len = if used > 0 && bytes[0] != 0 {
        // A pathname: up to its NUL, which the kernel may or may not count.
        bytes[..used].iter().position(|&b| b == 0).unwrap_or(used)
    } else {
        used
    };
    Ok((bytes, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) -> Vec<u8> {
        let (buf, len) = path_bytes(&to_raw(bytes).unwrap()).unwrap();
        buf[..len].to_vec()
    }

    #[test]
    fn paths_and_abstract_names_survive_the_round_trip() {
        assert_eq!(round_trip(b"/tmp/x.sock"), b"/tmp/x.sock");
        assert_eq!(round_trip(b"rel.sock"), b"rel.sock");
        assert_eq!(round_trip(b"\0name"), b"\0name");
        let longest = vec![b'a'; SUN_PATH_LEN - 1];
        assert_eq!(round_trip(&longest), longest);
    }

    #[test]
    fn bad_paths_are_refused_with_the_reason() {
        let too_long = vec![b'a'; SUN_PATH_LEN];
        let err = to_raw(&too_long).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("108 bytes long"), "{err}");
        assert!(to_raw(b"a\0b").unwrap_err().to_string().contains("NUL"));
        assert!(to_raw(b"").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn an_unnamed_address_has_no_bytes() {
        let mut raw = RawAddr::buffer();
        raw.storage.ss_family = libc::AF_UNIX as libc::sa_family_t;
        raw.len = PATH_OFFSET as socklen_t;
        assert_eq!(path_bytes(&raw).unwrap().1, 0);
        raw.storage.ss_family = libc::AF_INET as libc::sa_family_t;
        assert!(path_bytes(&raw).is_err());
        let empty = RawAddr {
            len: 0,
            ..RawAddr::buffer()
        };
        assert_eq!(path_bytes(&empty).unwrap().1, 0);
    }
}
