//! [`Family`]: what a [`Stream`](crate::Stream) is a stream of, TCP ([`Tcp`]) or a Unix
//! socket ([`Unix`]).
//!
//! A connected stream socket reads, writes, shuts down and splits the same way whatever
//! its family; only its addresses and how it connects differ. So the stream I/O is
//! written once, on [`Stream<F>`](crate::Stream), and [`TcpStream`](crate::TcpStream)
//! and [`UnixStream`](crate::UnixStream) are `Stream<Tcp>` and `Stream<Unix>`, each with
//! its own constructors and options.
//!
//! ```
//! use evloop_net::family::{Family, Tcp, Unix};
//!
//! fn addr_type<F: Family>() -> &'static str {
//!     std::any::type_name::<F::Addr>()
//! }
//! assert_eq!(addr_type::<Tcp>(), "core::net::socket_addr::SocketAddr");
//! assert!(addr_type::<Unix>().ends_with("unix_addr::SocketAddr"));
//! ```

use std::fmt;
use std::io;

use crate::sys::{self, RawAddr};
use crate::unix_addr;

/// The address family of a [`Stream`](crate::Stream): [`Tcp`] or [`Unix`]. Sealed:
/// only this crate implements it.
pub trait Family: sealed::Sealed + 'static {
    /// A socket address of this family: [`std::net::SocketAddr`] for TCP,
    /// [`unix::SocketAddr`](crate::unix::SocketAddr) for Unix sockets.
    type Addr: fmt::Debug;
}

/// TCP: [`TcpStream`](crate::TcpStream) is `Stream<Tcp>`.
#[derive(Debug)]
pub enum Tcp {}

/// Unix stream sockets: [`UnixStream`](crate::UnixStream) is `Stream<Unix>`.
#[derive(Debug)]
pub enum Unix {}

impl Family for Tcp {
    type Addr = std::net::SocketAddr;
}

impl Family for Unix {
    type Addr = unix_addr::SocketAddr;
}

pub(crate) mod sealed {
    //! What the crate knows of each family and users need not see.

    use super::*;

    /// The crate's side of [`Family`].
    pub trait Sealed {
        /// The stream type's name, for `Debug`.
        const NAME: &'static str;
        /// Whether a short read proves the receive queue drained (see
        /// `Socket::poll_read`).
        const SHORT_READ_DRAINS: bool;

        /// Whether the family's streams use io_uring's completion path when the loop
        /// runs on it (see `completion.rs`).
        const COMPLETION_IO: bool;

        /// Decodes an address the kernel wrote.
        fn decode(raw: &RawAddr) -> io::Result<<Self as Family>::Addr>
        where
            Self: Family;
    }

    impl Sealed for Tcp {
        const NAME: &'static str = "TcpStream";
        const SHORT_READ_DRAINS: bool = true;
        const COMPLETION_IO: bool = true;

        fn decode(raw: &RawAddr) -> io::Result<std::net::SocketAddr> {
            sys::inet::from_raw(raw)
        }
    }

    impl Sealed for Unix {
        const NAME: &'static str = "UnixStream";
        const SHORT_READ_DRAINS: bool = false;
        const COMPLETION_IO: bool = false;

        fn decode(raw: &RawAddr) -> io::Result<unix_addr::SocketAddr> {
            unix_addr::SocketAddr::from_raw(raw)
        }
    }
}
