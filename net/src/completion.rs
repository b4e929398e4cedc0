//! TCP streams on io_uring's completion path: what a [`Socket`] does differently when
//! its loop runs [`Backend::Uring`](evloop_reactor::Backend::Uring).
//!
//! On every other backend a stream's `read` and `write` are readiness I/O: wait for an
//! edge, make the `recv`/`send` system call (see `io.rs`). On io_uring a TCP stream
//! gets an [`evloop_reactor::CompletionStream`] when it is made (by `accept` or
//! `connect`), and its reads, writes, flushes and shutdowns go there instead: a read
//! copies out of a buffer a receive filled, a write copies into the stream's send buffer,
//! and the receives and sends go to the kernel with the loop's one `io_uring_enter` per
//! turn, without a system call of their own. Unix streams, datagram sockets and
//! listeners keep readiness I/O on io_uring too (their reactor registration is served
//! by a multishot poll).
//!
//! What a program can notice: a write's bytes leave when the loop next waits (at the
//! end of the turn), not during the `write` call; `flush` waits until the kernel has
//! them; `shutdown(Write)` sends the FIN after the bytes written before it; a stream
//! dropped with bytes unsent still delivers them.
//!
//! ```
//! use evloop_net::{TcpListener, TcpStream};
//!
//! let rt = evloop_executor::Runtime::builder()
//!     .backend(evloop_reactor::Backend::Uring)
//!     .build()?;
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let mut client = TcpStream::connect(listener.local_addr()?).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     client.write_all(b"over the ring").await?; // copied; sent with the next enter
//!     let mut buf = [0; 13];
//!     server.read_exact(&mut buf).await?; // copied out of a runtime-owned buffer
//!     assert_eq!(&buf, b"over the ring");
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

use evloop_reactor::CompletionStream;

use crate::io::Socket;

impl Socket {
    /// Moves a connected TCP socket's reads and writes to the completion path, if the
    /// loop's reactor runs io_uring with it; otherwise (or with 2^30 streams open on
    /// the loop already) the socket stays on readiness I/O, which serves as well.
    pub(crate) fn use_completion_io(&mut self) {
        self.completion = CompletionStream::new(self.registration()).ok().flatten();
    }
}
