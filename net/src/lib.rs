//! evloop's sockets: [`TcpListener`], [`TcpStream`], [`UdpSocket`] and their Unix
//! counterparts [`UnixListener`], [`UnixStream`], [`UnixDatagram`], on the reactor.
//!
//! This crate is where the loop meets the network. In ARCHITECTURE.md's picture it sits on top
//! of `evloop-reactor` (which waits in `epoll` and wakes tasks) and next to
//! `evloop-executor` (which runs the tasks, and resolves host names on its blocking
//! pool). Users reach it as `evloop::net`.
//!
//! # How a socket's readiness becomes a wake
//!
//! 1. **Non-blocking socket.** Every socket is created `SOCK_NONBLOCK | SOCK_CLOEXEC`: a
//!    `recv` with nothing to read fails with `EAGAIN` at once instead of stopping the
//!    thread (and with it every task of the loop).
//! 2. **Registration.** The socket is registered with the loop's reactor
//!    ([`evloop_reactor::Registration`]), edge-triggered, for both directions. The
//!    registration keeps, per direction, a *ready* flag and the waker of the task that
//!    waits.
//! 3. **The poll loop.** `read` asks the registration whether the socket is readable. If
//!    not, the task's waker is parked there and the task returns `Pending`; the loop runs
//!    other tasks and then blocks in `epoll_wait`.
//! 4. **The edge.** Data arrives; the kernel reports `EPOLLIN` once (edge-triggered: a
//!    change, not a level). The reactor sets the ready flag and calls the parked waker;
//!    the executor queues the task, which polls `read` again. Now the registration says
//!    ready, `recv` returns the bytes.
//! 5. **`clear_ready` when the kernel says "no more".** That is `EAGAIN`, or, on a TCP
//!    stream, a short read (fewer bytes than the buffer holds: the receive queue was
//!    empty) or a short write (the send buffer is full). Then the task waits for the
//!    next edge; data that arrived after the `recv` has raised one already. After an edge
//!    that said urgent data, peer shutdown, hang-up or error, only `EAGAIN` clears: a
//!    short read proves nothing then, and no further edge would come.
//!
//! ```text
//! loop {
//!     ready!(registration.poll_ready(Read, cx))?;  // Pending + waker parked until an edge
//!     match recv(fd, buf) {
//!         Err(EAGAIN) => registration.clear_ready(Read),
//!         Ok(n) if 0 < n && n < buf.len() => {                // TCP: drained
//!             registration.clear_ready_after_short_io(Read);
//!             return Ready(Ok(n));
//!         }
//!         result => return Ready(result),
//!     }
//! }
//! ```
//!
//! Writes work the same way with write readiness, which is also how TCP backpressure
//! reaches a task: a full send buffer is `EAGAIN`, and the writer sleeps until the peer
//! has read enough for an `EPOLLOUT` edge. A non-blocking `connect` waits for the same
//! edge and then reads its outcome from `SO_ERROR`.
//!
//! # Example: an echo server and a client, on one thread
//!
//! ```
//! use evloop_net::{TcpListener, TcpStream};
//!
//! evloop_executor::run(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     evloop_executor::spawn(async move {
//!         while let Ok((mut conn, _peer)) = listener.accept().await {
//!             evloop_executor::spawn(async move {
//!                 let mut buf = [0; 1024];
//!                 while let Ok(n @ 1..) = conn.read(&mut buf).await {
//!                     if conn.write_all(&buf[..n]).await.is_err() {
//!                         break;
//!                     }
//!                 }
//!             });
//!         }
//!     });
//!
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello, loop").await?;
//!     let mut reply = [0; 11];
//!     client.read_exact(&mut reply).await?;
//!     assert_eq!(&reply, b"hello, loop");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # tokio's I/O traits: the `tokio-io` feature
//!
//! Rust has two families of async I/O traits: `futures-io`'s (what evloop's sockets
//! implement natively, and what `evloop::io` builds on) and tokio's (what tokio-util's
//! codecs, tokio-rustls and tokio-postgres take). With the `tokio-io` feature,
//! [`TcpStream`], [`OwnedReadHalf`] and [`OwnedWriteHalf`] implement both:
//! `tokio::io::AsyncRead` and `AsyncWrite` too, delegating to the `futures-io` impls.
//! tokio comes in with no features at all: its I/O traits need none, and no tokio
//! runtime, reactor or timer is built.
//!
//! ```
//! # #[cfg(feature = "tokio-io")] {
//! use std::future::poll_fn;
//! use std::pin::Pin;
//! use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
//!
//! evloop_executor::run(async {
//!     let listener = evloop_net::TcpListener::bind("127.0.0.1:0").await?;
//!     let client = evloop_net::TcpStream::connect(listener.local_addr()?).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     // What tokio-based code does with a stream (tokio_util::codec::Framed, say).
//!     let (_rd, mut wr) = client.into_split();
//!     let n = poll_fn(|cx| Pin::new(&mut wr).poll_write(cx, b"hello")).await?;
//!     assert_eq!(n, 5);
//!     let mut storage = [0u8; 16];
//!     let mut buf = ReadBuf::new(&mut storage);
//!     poll_fn(|cx| Pin::new(&mut server).poll_read(cx, &mut buf)).await?;
//!     assert_eq!(buf.filled(), b"hello");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The traits are only the I/O seam. A crate that calls `tokio::spawn`, uses tokio's
//! timers (`tokio::time::sleep`, `timeout`, `interval`) or opens tokio's own sockets
//! (`tokio::net`) needs tokio's runtime: on evloop's loop alone it panics with tokio's
//! message, `there is no reactor running, must be called from the context of a Tokio
//! 1.x runtime`. Some such crates offer a way around it (tokio-postgres' `connect_raw`
//! takes any stream and returns the connection future for the caller to spawn, here with
//! `evloop::spawn`); the others need tokio.
//!
//! # Traps
//!
//! - Sockets belong to the loop that created them (they hold its reactor): create them
//!   inside `evloop::run`, and do not move them to another thread (they are `!Send`).
//! - Errors are the OS's: `EPIPE` is [`io::ErrorKind::BrokenPipe`](std::io::ErrorKind),
//!   never a `SIGPIPE`. `accept` retries by itself the errors of a connection that died
//!   in the queue (`ECONNABORTED`, `EPROTO`); it returns `EMFILE` and the other
//!   resource limits (`ENFILE`, `ENOBUFS`, `ENOMEM`), so that a server can back off
//!   (see [`TcpListener::accept`]).
//! - Host names are resolved on the blocking pool; a literal `ip:port` never leaves the
//!   loop thread.
//!
//! # Unix sockets
//!
//! [`UnixListener`], [`UnixStream`] and [`UnixDatagram`] are asyncio's
//! `start_unix_server`, `open_unix_connection` and `AF_UNIX` datagram endpoints. They
//! take paths (`impl AsRef<Path>`; a path starting with `'\0'` is a name in Linux's
//! abstract namespace) and report [`unix::SocketAddr`]es.
//!
//! # The layout
//!
//! `sys/` (every syscall, the only `unsafe`: `mod.rs` for all families, `inet.rs` and
//! `unix.rs` for their addresses), `io.rs` (the poll loops every socket shares),
//! `stream.rs` (the stream I/O of [`TcpStream`] and [`UnixStream`], which are
//! [`Stream<Tcp>`](Stream) and `Stream<Unix>`, see [`family`]), `split.rs` (their
//! halves), `addr.rs` (IP addresses and name resolution), `unix_addr.rs` and
//! `unix_path.rs` (Unix addresses), one file per socket type, `tokio_io.rs` (tokio's I/O
//! traits on the streams, with the `tokio-io` feature) and `fault.rs` (fault injection
//! for tests, with the `fault-injection` feature: not part of the API).

#![deny(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    clippy::undocumented_unsafe_blocks
)]

mod addr;
mod completion;
pub mod family;
#[cfg(feature = "fault-injection")]
#[doc(hidden)]
pub mod fault;
mod io;
mod split;
mod stream;
mod sys;
mod tcp_listener;
mod tcp_socket;
mod tcp_stream;
#[cfg(feature = "tokio-io")]
mod tokio_io;
mod ucred;
mod udp;
mod unix_addr;
mod unix_datagram;
mod unix_listener;
mod unix_path;
mod unix_stream;
mod wait_site;

pub use addr::{lookup_host, ToSocketAddrs};
pub use split::{OwnedReadHalf, OwnedWriteHalf};
pub use stream::Stream;
pub use tcp_listener::TcpListener;
pub use tcp_socket::TcpSocket;
pub use tcp_stream::TcpStream;
pub use udp::UdpSocket;
pub use unix_datagram::UnixDatagram;
pub use unix_listener::UnixListener;
pub use unix_stream::UnixStream;

/// TCP's stream halves by their tokio paths (the same types as the crate root's
/// [`OwnedReadHalf`] and [`OwnedWriteHalf`]).
pub mod tcp {
    use crate::family::Tcp;

    /// The reading half of a [`TcpStream`](crate::TcpStream).
    pub type OwnedReadHalf = crate::OwnedReadHalf<Tcp>;
    /// The writing half of a [`TcpStream`](crate::TcpStream).
    pub type OwnedWriteHalf = crate::OwnedWriteHalf<Tcp>;
}

/// What belongs to Unix sockets besides the socket types: their [`SocketAddr`](unix::SocketAddr),
/// the peer's credentials [`UCred`](unix::UCred), and a [`UnixStream`]'s halves.
///
/// ```
/// use evloop_net::{unix, UnixStream};
///
/// evloop_executor::run(async {
///     let (a, mut b) = UnixStream::pair()?;
///     let (mut rd, _wr): (unix::OwnedReadHalf, unix::OwnedWriteHalf) = a.into_split();
///     b.write_all(b"half").await?;
///     let mut buf = [0; 4];
///     rd.read_exact(&mut buf).await?;
///     assert!(rd.peer_addr()?.is_unnamed());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub mod unix {
    use crate::family::Unix;

    pub use crate::ucred::UCred;
    pub use crate::unix_addr::SocketAddr;

    /// The reading half of a [`UnixStream`](crate::UnixStream).
    pub type OwnedReadHalf = crate::OwnedReadHalf<Unix>;
    /// The writing half of a [`UnixStream`](crate::UnixStream).
    pub type OwnedWriteHalf = crate::OwnedWriteHalf<Unix>;
}
