//! evloop's [`AsyncFd`]: any non-blocking file descriptor on the loop, like asyncio's
//! `loop.add_reader` / `loop.add_writer` and tokio's `AsyncFd`.
//!
//! Sockets have their own types (`evloop::net`); everything else that the kernel can
//! report readiness for (pipes, ttys, `eventfd`, `timerfd`, `inotify`, `signalfd`, a
//! serial port, a device) goes through [`AsyncFd`]: it registers the fd with the running
//! loop's reactor (`evloop-reactor`'s `Registration`, edge-triggered) and lets a task
//! wait for readability or writability, then do the non-blocking I/O itself. It is how
//! `evloop::process` reads and writes a child's pipes. Users reach it as
//! `evloop::io::AsyncFd`.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::os::unix::net::UnixStream;
//! use evloop::io::AsyncFd;
//!
//! evloop::run(async {
//!     let (ours, mut theirs) = UnixStream::pair()?;
//!     ours.set_nonblocking(true)?;
//!     let fd = AsyncFd::new(ours)?;
//!     let writer = std::thread::spawn(move || theirs.write_all(b"from a thread"));
//!     let mut got = Vec::new();
//!     while got.len() < 13 {
//!         let mut guard = fd.readable().await?; // the task sleeps; the loop runs others
//!         let mut buf = [0; 64];
//!         if let Ok(n) = guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
//!             got.extend_from_slice(&buf[..n?]);
//!         }
//!     }
//!     assert_eq!(got, b"from a thread");
//!     writer.join().unwrap()
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Traps
//!
//! - **Regular files are refused** (epoll cannot watch them: a file is always "ready",
//!   yet a read may wait on the disk). Use `evloop::fs`, which runs file I/O on the
//!   blocking pool, as asyncio's `to_thread` would.
//! - **The fd must be non-blocking.** A blocking fd is refused: a read with nothing to
//!   read would stop every task of the loop.
//! - **Readiness is edge-triggered**: it stays set until cleared, and should be cleared
//!   only when the fd says `WouldBlock` ([`AsyncFdReadyGuard::try_io`] does exactly
//!   that). Clearing early waits for an edge that may never come. (On the
//!   level-triggered backends, `Backend::Poll` and `Backend::Select`, a direction cleared
//!   with data left is reported ready again at the next wait: there are no edges there.)
//! - One waiting task per direction; the fd belongs to the loop that registered it
//!   (`AsyncFd` is `!Send`).
//!
//! Neighbours: `evloop-reactor` (the registration), `evloop-process` (its pipes are
//! `AsyncFd`s), and the `evloop` facade.

#![deny(missing_docs, unsafe_code)]
#![warn(
    missing_debug_implementations,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

mod async_fd;
mod guard;
mod sys;

pub use async_fd::AsyncFd;
pub use guard::{AsyncFdReadyGuard, AsyncFdReadyMutGuard, TryIoError};
