//! evloop's Unix signals: [`ctrl_c`] and [`signal`] streams, delivered on the loop.
//!
//! A signal handler interrupts whatever a thread was doing, so it may do almost nothing
//! (only async-signal-safe calls: no locks, no allocation, no wakers). This crate's
//! handler does two things: it sets the signal's *pending* flag (one atomic store) and
//! writes one byte to a non-blocking **self-pipe**. Each [`Signal`] registers its own
//! duplicate of the pipe's read end with its loop's reactor, so the byte ends the loop's
//! `reactor.wait` like any readable socket would; the [`Signal`] that sees it drains the
//! pipe, turns the pending flags into a new *generation* per signal, and wakes every
//! listener of those signals, on any loop. asyncio's `loop.add_signal_handler` works the
//! same way (a socket pair passed to `signal.set_wakeup_fd`).
//!
//! ```
//! use evloop::signal::{signal, SignalKind};
//!
//! evloop::run(async {
//!     let mut usr1 = signal(SignalKind::user_defined1())?;
//!     evloop::signal::raise(SignalKind::user_defined1())?; // or `kill -USR1 <pid>`
//!     assert_eq!(usr1.recv().await, Some(()));
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Why a self-pipe and not `signalfd`
//!
//! `signalfd` only receives signals that are *blocked* (masked) in every thread of the
//! process; a thread that leaves the signal unblocked (any thread a library or the
//! standard library started before the mask was set) takes the delivery itself and runs
//! the default action, which for `SIGINT` or `SIGTERM` ends the process. A library
//! cannot control every thread's mask, so it cannot make `signalfd` reliable. The
//! self-pipe works with whatever thread the kernel picks: the handler runs there and
//! the byte wakes the loop.
//!
//! # Traps
//!
//! - The handler is installed on the first [`signal`] (or [`ctrl_c`]) for a signal and
//!   stays for the rest of the process, replacing the previous disposition: once a
//!   program listened for `SIGINT`, Ctrl-C no longer kills it when nobody listens.
//! - Deliveries coalesce: several signals that arrive between two polls may be reported
//!   once (the kernel itself merges pending standard signals).
//! - `SIGKILL`, `SIGSTOP`, `SIGSEGV`, `SIGBUS`, `SIGILL` and `SIGFPE` are refused with
//!   [`io::ErrorKind::InvalidInput`](std::io::ErrorKind::InvalidInput).
//! - Each [`Signal`] holds one file descriptor (its duplicate of the pipe's read end).
//!
//! Neighbours: `evloop-reactor` (watches the pipe), and the `evloop` facade, which
//! re-exports this crate as `evloop::signal`.

#![deny(missing_docs, unsafe_code)]
#![warn(
    missing_debug_implementations,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

mod ctrl_c;
mod kind;
mod registry;
mod stream;
mod sys;

pub use ctrl_c::{ctrl_c, CtrlC};
pub use kind::SignalKind;
pub use stream::{raise, signal, Signal};
