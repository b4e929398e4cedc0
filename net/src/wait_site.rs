//! What task dumps say of a socket a task waits on: the kind of wait (an accept, a read,
//! a datagram's receive...) and the address that tells the socket apart (a stream's peer,
//! a listener's or an unbound datagram socket's own address).
//!
//! Debug mode learns that once per socket, on its first wait (a few `getsockopt` and
//! `getsockname` calls), and keeps it with the socket ([`Described`]): every later wait
//! notes it without a system call. Outside debug mode nothing is learned or noted. Socket
//! waits carry no call site: they are `async fn`s, which cannot see their caller.

use std::cell::OnceCell;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::Arc;

use evloop_reactor::context::record_wait;
use evloop_reactor::wait_site::{Endpoint, WaitDetail, WaitKind, WaitSite};
use evloop_reactor::Direction;

use crate::sys::{self, Name, RawAddr};

/// What a socket is, for its wait sites.
#[derive(Debug)]
pub(crate) struct Described {
    /// A listening socket: its reads are accepts.
    listener: bool,
    /// A stream socket (reads and writes), else a datagram socket (receives and sends).
    stream: bool,
    /// The address that tells it apart, if it has one.
    addr: Option<Endpoint>,
}

/// A socket's description, learned on its first wait in debug mode.
pub(crate) type DescribedCell = OnceCell<Box<Described>>;

/// Notes, in debug mode, that the caller waits for `dir` readiness of socket `fd`.
#[inline]
pub(crate) fn note_wait(fd: RawFd, dir: Direction, described: &DescribedCell) {
    record_wait(|| {
        let described = described.get_or_init(|| Box::new(describe(fd)));
        let kind = match (described.listener, described.stream, dir) {
            (true, _, _) => WaitKind::Accept,
            (false, true, Direction::Read) => WaitKind::Read,
            (false, true, Direction::Write) => WaitKind::Write,
            (false, false, Direction::Read) => WaitKind::Receive,
            (false, false, Direction::Write) => WaitKind::Send,
        };
        let addr = described.addr.clone();
        WaitSite::new(kind, None, WaitDetail::Socket { fd, addr })
    });
}

/// Notes, in debug mode, that the caller waits for socket `fd` to connect to `to`.
#[inline]
pub(crate) fn note_connect(fd: RawFd, to: SocketAddr) {
    record_wait(|| {
        let addr = Some(Endpoint::Inet(to));
        WaitSite::new(WaitKind::Connect, None, WaitDetail::Socket { fd, addr })
    });
}

/// Learns what socket `fd` is (see the module docs).
fn describe(fd: RawFd) -> Described {
    let option = |name| sys::int_option(fd, libc::SOL_SOCKET, name).ok();
    let listener = option(libc::SO_ACCEPTCONN) == Some(1);
    let stream = option(libc::SO_TYPE) == Some(libc::SOCK_STREAM);
    let peer = if listener {
        None
    } else {
        sys::socket_name(fd, Name::Peer)
            .ok()
            .and_then(|raw| endpoint(&raw))
    };
    let addr = peer.or_else(|| {
        sys::socket_name(fd, Name::Local)
            .ok()
            .and_then(|raw| endpoint(&raw))
    });
    Described {
        listener,
        stream,
        addr,
    }
}

/// `raw` as a dump shows it: an IP address, a Unix path, or `@name` for an abstract
/// Unix name; `None` for an unnamed Unix socket or an unknown family.
fn endpoint(raw: &RawAddr) -> Option<Endpoint> {
    match raw.family() {
        libc::AF_INET | libc::AF_INET6 => sys::inet::from_raw(raw).ok().map(Endpoint::Inet),
        libc::AF_UNIX => {
            let (bytes, len) = sys::unix::path_bytes(raw).ok()?;
            let name = match bytes[..len].split_first() {
                None => return None,
                Some((0, rest)) => format!("@{}", String::from_utf8_lossy(rest)),
                Some(_) => String::from_utf8_lossy(&bytes[..len]).into_owned(),
            };
            Some(Endpoint::Unix(Arc::from(name)))
        }
        _ => None,
    }
}
