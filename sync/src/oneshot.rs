//! A loop-local one-shot channel: one value, from one task to another (like resolving an
//! `asyncio.Future` that another task awaits).
//!
//! [`channel`] returns a [`Sender`] and a [`Receiver`]. [`Sender::send`] hands over the
//! value without waiting; the `Receiver` is a future that yields it, or
//! [`RecvError`] if the sender was dropped without sending. Both halves share one `Rc`
//! allocation and need no atomics. For a sender on another thread use
//! [`shared::oneshot`](crate::shared::oneshot). The methods are documented on
//! [`flavour::oneshot`], which both flavours share.
//!
//! ```
//! use evloop::sync::oneshot;
//!
//! evloop::run(async {
//!     let (tx, rx) = oneshot::channel();
//!     evloop::spawn(async move {
//!         tx.send(6 * 7).unwrap();
//!     });
//!     assert_eq!(rx.await, Ok(42));
//!
//!     let (tx, rx) = oneshot::channel::<u32>();
//!     drop(tx);
//!     assert!(rx.await.is_err()); // the sender went away without sending
//! });
//! ```

use crate::flavour::{self, Local};

pub use flavour::oneshot::{RecvError, TryRecvError};

/// Sends the one value of a loop-local [`channel`]. Its methods:
/// [`flavour::oneshot::Sender`].
///
/// ```
/// let (tx, rx) = evloop::sync::oneshot::channel();
/// let tx: evloop::sync::oneshot::Sender<&str> = tx;
/// evloop::run(async move {
///     evloop::spawn(async move { tx.send("done").unwrap() });
///     assert_eq!(rx.await, Ok("done"));
/// });
/// ```
pub type Sender<T> = flavour::oneshot::Sender<T, Local>;

/// Receives the one value of a loop-local [`channel`]; await it. Its methods:
/// [`flavour::oneshot::Receiver`].
///
/// ```
/// let (tx, rx) = evloop::sync::oneshot::channel::<u8>();
/// let rx: evloop::sync::oneshot::Receiver<u8> = rx;
/// drop(tx);
/// assert!(evloop::run(rx).is_err()); // the sender went away without sending
/// ```
pub type Receiver<T> = flavour::oneshot::Receiver<T, Local>;

/// Makes a one-shot channel: the [`Sender`] sends one value to the [`Receiver`].
///
/// ```
/// evloop::run(async {
///     let (tx, rx) = evloop::sync::oneshot::channel();
///     evloop::spawn(async move { tx.send("result").unwrap() });
///     assert_eq!(rx.await, Ok("result"));
/// });
/// ```
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    flavour::oneshot::channel()
}
