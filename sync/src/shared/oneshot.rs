//! A one-shot channel whose halves may live on different threads: e.g. a `std::thread` or
//! a [`spawn_blocking`](../../../fn.spawn_blocking.html) job sends the result a loop task
//! awaits (like `loop.call_soon_threadsafe(fut.set_result, v)` in asyncio).
//!
//! The same types and code as the loop-local [`oneshot`](crate::oneshot) (their methods
//! are documented on [`flavour::oneshot`]), `Send` when `T` is, plus
//! [`blocking_recv`](flavour::oneshot::Receiver::blocking_recv) for a thread without a
//! loop.
//!
//! ```
//! use evloop::sync::shared::oneshot;
//!
//! let (tx, rx) = oneshot::channel();
//! std::thread::spawn(move || tx.send("from a thread").unwrap());
//! assert_eq!(evloop::run(rx), Ok("from a thread"));
//! ```

use crate::flavour::{self, Shared};

pub use flavour::oneshot::{RecvError, TryRecvError};

/// Sends the one value of a `Send` [`channel`], from any thread. Its methods:
/// [`flavour::oneshot::Sender`].
///
/// ```
/// fn assert_send<T: Send>(_: &T) {}
/// let (tx, rx) = evloop::sync::shared::oneshot::channel::<u32>();
/// let tx: evloop::sync::shared::oneshot::Sender<u32> = tx;
/// assert_send(&tx); // may move to another thread
/// tx.send(1).unwrap();
/// assert_eq!(rx.blocking_recv(), Ok(1));
/// ```
pub type Sender<T> = flavour::oneshot::Sender<T, Shared>;

/// Receives the one value of a `Send` [`channel`]: await it, or call
/// [`blocking_recv`](flavour::oneshot::Receiver::blocking_recv) on a thread without a
/// loop. Its methods: [`flavour::oneshot::Receiver`].
///
/// ```
/// evloop::run(async {
///     let (tx, rx) = evloop::sync::shared::oneshot::channel();
///     let rx: evloop::sync::shared::oneshot::Receiver<&str> = rx;
///     evloop::spawn_blocking(move || tx.send("computed").unwrap());
///     assert_eq!(rx.await, Ok("computed"));
/// });
/// ```
pub type Receiver<T> = flavour::oneshot::Receiver<T, Shared>;

/// Makes a one-shot channel whose halves may be sent to other threads.
///
/// ```
/// let (tx, rx) = evloop::sync::shared::oneshot::channel();
/// let worker = std::thread::spawn(move || tx.send(2 + 2).unwrap());
/// assert_eq!(evloop::run(rx), Ok(4));
/// worker.join().unwrap();
/// ```
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    flavour::oneshot::channel()
}
