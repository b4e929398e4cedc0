//! A loop-local watch channel: one value that changes over time, and any number of
//! receivers that read the latest one or wait for the next (configuration, a status, a
//! shutdown flag).
//!
//! [`channel`]`(init)` returns a [`Sender`] and a first [`Receiver`]. A send replaces the
//! value (earlier ones are not queued: a receiver that was busy sees only the latest) and
//! wakes every receiver waiting in [`changed`](Receiver::changed), each once.
//! [`borrow`](Receiver::borrow) reads the value; [`borrow_and_update`](Receiver::borrow_and_update)
//! also marks it seen. When the sender is dropped, `changed` fails once every value has
//! been seen, and the last value stays readable.
//!
//! In asyncio terms it is an `asyncio.Event` that carries a value and re-arms itself:
//! `await rx.changed()` is `await event.wait(); event.clear()`, with the value to read
//! afterwards, and without the lost wake-ups of clearing a shared event.
//!
//! ```
//! use std::time::Duration;
//! use evloop::sync::watch;
//!
//! evloop::run(async {
//!     let (shutdown, mut rx) = watch::channel(false);
//!     let workers: Vec<_> = (0..3)
//!         .map(|_| {
//!             let mut rx = rx.clone();
//!             evloop::spawn(async move {
//!                 let mut ticks = 0;
//!                 while !*rx.borrow_and_update() {
//!                     // One unit of work, cut short if the flag changes meanwhile.
//!                     let work = evloop::time::sleep(Duration::from_millis(1));
//!                     evloop::race(work, async { rx.changed().await.unwrap_or(()) }).await;
//!                     ticks += 1;
//!                 }
//!                 ticks
//!             })
//!         })
//!         .collect();
//!     evloop::time::sleep(Duration::from_millis(5)).await;
//!     shutdown.send(true).unwrap(); // every worker sees it
//!     for worker in workers {
//!         assert!(worker.await.unwrap() >= 1);
//!     }
//!     assert!(*rx.borrow_and_update());
//! });
//! ```
//!
//! # Traps
//!
//! - **Don't hold a [`Ref`] across an `.await`.** It borrows the value; a send while it is
//!   alive panics (a lock-based channel would deadlock there). Copy or clone what you need
//!   out of it first.
//! - **Changes coalesce.** A receiver sees the latest value, not every one: for every
//!   message use [`broadcast`](crate::broadcast) or [`mpsc`](crate::mpsc).
//! - **`send` needs a receiver.** With none, [`Sender::send`] refuses the value;
//!   [`Sender::send_replace`] stores it anyway.
//! - **Loop-local.** The halves share an `Rc`, so they are `!Send`: they serve the tasks of
//!   one loop, with no atomics.

mod borrow;
pub mod error;
mod receiver;
mod sender;
mod shared;

pub use borrow::Ref;
pub use error::{RecvError, SendError};
pub use receiver::{Changed, Receiver};
pub use sender::Sender;

use std::rc::Rc;

use shared::Shared;

/// Makes a watch channel holding `init`; the receiver has seen it, so its
/// [`changed`](Receiver::changed) waits for the first send.
///
/// ```
/// use evloop::sync::watch;
/// evloop::run(async {
///     let (tx, mut rx) = watch::channel(1);
///     assert_eq!(*rx.borrow(), 1);
///     tx.send(2).unwrap();
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow(), 2);
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(Shared::new(init));
    (Sender::new(shared.clone()), Receiver::first(shared))
}
