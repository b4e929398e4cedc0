//! Async I/O helpers: buffered readers and writers, reading lines, copying, splitting,
//! what asyncio's `StreamReader.readline()` and `StreamWriter.write()` + `drain()` do.
//!
//! evloop's sockets ([`TcpStream`](crate::net::TcpStream) and its halves) implement the
//! standard async I/O traits of the `futures-io` crate, [`AsyncRead`] and
//! [`AsyncWrite`]. Everything here works on any type with those traits: the helpers are
//! the `futures-util` crate's, re-exported so that one `use evloop::io::...` line brings
//! them in.
//!
//! | you want | use |
//! |---|---|
//! | read line by line (`reader.readline()`) | [`BufReader`] + [`AsyncBufReadExt::read_line`] or [`lines`](AsyncBufReadExt::lines) |
//! | read up to a delimiter (`reader.readuntil(b"\r\n")`) | [`AsyncBufReadExt::read_until`] |
//! | `read_exact`, `read_to_end`, `write_all`, `flush`, `close` on any stream | [`AsyncReadExt`], [`AsyncWriteExt`] |
//! | many small writes, few system calls | [`BufWriter`] (then `flush().await`) |
//! | pump one stream into another (a proxy) | [`copy`], [`copy_buf`] |
//! | a reader task and a writer task on one stream | `TcpStream::into_split`; [`split`] for other streams |
//! | iterate [`Lines`] | [`TryStreamExt::try_next`] or [`StreamExt::next`] |
//! | wait on any other fd (a pipe, a tty, an eventfd; asyncio's `add_reader`) | [`AsyncFd`] |
//!
//! # Example: a line-based protocol
//!
//! A server that answers `ECHO text` with `text` and anything else with an error line,
//! until `QUIT`; a client that talks to it, both on 127.0.0.1:
//!
//! ```
//! use evloop::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, TryStreamExt};
//! use evloop::net::{TcpListener, TcpStream};
//!
//! evloop::run(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = evloop::spawn(async move {
//!         let (conn, _peer) = listener.accept().await?;
//!         let (rd, mut wr) = conn.into_split();
//!         let mut lines = BufReader::new(rd).lines();
//!         while let Some(line) = lines.try_next().await? {
//!             match line.split_once(' ') {
//!                 Some(("ECHO", text)) => wr.write_all(format!("{text}\n").as_bytes()).await?,
//!                 _ if line == "QUIT" => break,
//!                 _ => wr.write_all(b"ERR unknown command\n").await?,
//!             }
//!         }
//!         Ok::<_, std::io::Error>(()) // dropping both halves closes the connection
//!     });
//!
//!     // BufReader passes writes through to the stream it wraps.
//!     let mut client = BufReader::new(TcpStream::connect(addr).await?);
//!     client.write_all(b"ECHO hello, loop\nPING\nQUIT\n").await?;
//!     let mut reply = String::new();
//!     client.read_line(&mut reply).await?;
//!     assert_eq!(reply, "hello, loop\n");
//!     reply.clear();
//!     client.read_line(&mut reply).await?;
//!     assert_eq!(reply, "ERR unknown command\n");
//!     reply.clear();
//!     assert_eq!(client.read_line(&mut reply).await?, 0); // EOF: the server hung up
//!     server.await.unwrap()
//! })?;
//! # Ok::<_, std::io::Error>(())
//! ```
//!
//! # Traps
//!
//! - **A line has no length limit.** `read_line` and `lines` grow their buffer until a
//!   `\n` arrives: a peer that never sends one makes the server's memory grow without
//!   bound. Cap what one read may take with [`AsyncReadExt::take`] on a `&mut` borrow of
//!   the reader: `(&mut reader).take(8 * 1024).read_line(&mut line)`, and treat a line
//!   without its `\n` as an error.
//! - **A [`BufWriter`] holds what it was given until it is full or flushed.** Call
//!   `flush().await` (or `close().await`, which flushes and then shuts the socket's write
//!   side) before dropping it, or the buffered bytes are lost: a drop cannot await.
//! - **A [`BufReader`] reads ahead.** Bytes it buffered are not in the stream any more:
//!   after wrapping a stream, read through the wrapper (or look at
//!   [`buffer`](BufReader::buffer) before [`into_inner`](BufReader::into_inner)).
//! - **[`split`] shares the stream through a lock** and works on any `AsyncRead +
//!   AsyncWrite`. A `TcpStream` has a cheaper split of its own, `into_split`: its halves
//!   wait on the socket's two directions independently.
//! - **Inherent methods come first.** `TcpStream` has its own `read`, `write_all`,
//!   `read_exact` and `flush`; with [`AsyncReadExt`]/[`AsyncWriteExt`] in scope a call
//!   such as `stream.read(&mut buf)` still picks the inherent one. Both behave the same.
//! - **Cancellation.** Dropping a `read_line`, `read_exact` or `write_all` future midway
//!   (in [`select!`](crate::select), or through a timeout) can lose the bytes it had
//!   moved: see the cancel-safety list in [`select!`](crate::select).

// Buffered I/O and helpers: futures-util's, re-exported (not re-implemented).
pub use futures_util::io::{
    copy, copy_buf, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter, Copy,
    CopyBuf, LineWriter, Lines, ReadHalf, ReuniteError, Take, WriteHalf,
};
// The traits those helpers build on: the `futures-io` crate's, which evloop's sockets
// implement.
pub use futures_util::io::{AsyncBufRead, AsyncRead, AsyncWrite};
// To iterate a `Lines` (it is a stream of `io::Result<String>`).
pub use futures_util::stream::{StreamExt, TryStreamExt};
// Any file descriptor on the loop, like asyncio's `loop.add_reader` / `add_writer`
// (pipes, ttys, eventfd, inotify, devices): the `evloop-fd` crate.
pub use evloop_fd::{AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, TryIoError};

/// Splits a stream that can read and write into a read half and a write half that can
/// move into two tasks, like tokio's `io::split`. The halves share the stream through a
/// lock; [`ReadHalf::reunite`] puts them back together.
///
/// A [`TcpStream`](crate::net::TcpStream) does not need this: its own `into_split`
/// gives halves that share no lock.
///
/// ```
/// use evloop::io::{split, AsyncReadExt, AsyncWriteExt, BufReader};
/// use evloop::net::{TcpListener, TcpStream};
///
/// evloop::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     // Any AsyncRead + AsyncWrite splits, here a buffered stream.
///     let (mut rd, mut wr) = split(BufReader::new(client));
///     let writer = evloop::spawn(async move { wr.write_all(b"ping").await.map(|()| wr) });
///     let mut got = [0; 4];
///     server.read_exact(&mut got).await?;
///     server.write_all(b"pong").await?;
///     rd.read_exact(&mut got).await?;
///     assert_eq!(&got, b"pong");
///     let wr = writer.await.unwrap()?;
///     let _client = rd.reunite(wr).unwrap().into_inner();
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    AsyncReadExt::split(stream)
}
