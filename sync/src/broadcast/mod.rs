//! A loop-local broadcast channel: every receiver gets every message, like a pub/sub
//! topic. Senders never wait; a receiver that falls too far behind loses the oldest
//! messages and is told how many, so a slow subscriber can never make memory grow.
//!
//! [`channel`]`(capacity)` returns a [`Sender`] and a first [`Receiver`];
//! [`Sender::subscribe`] makes more receivers. The channel keeps the last `capacity`
//! messages. [`Sender::send`] clones nothing: each receiver's [`recv`](Receiver::recv)
//! clones the message it takes (the last one to take it gets the original), so `T` must be
//! `Clone` (wrap large messages in an `Rc`).
//!
//! asyncio has no broadcast queue; the usual stand-in is one `asyncio.Queue` per
//! subscriber and a loop of `put_nowait` over them, which grows without bound when a
//! subscriber stalls. Here a stalled receiver instead gets [`RecvError::Lagged`]`(n)`
//! from its next `recv`, with the exact number `n` of messages it missed, and goes on
//! from the oldest message still kept. Once every sender is gone, receivers take what is
//! left and then get [`RecvError::Closed`].
//!
//! ```
//! use evloop::sync::broadcast::{self, RecvError};
//!
//! evloop::run(async {
//!     let (tx, _) = broadcast::channel(16); // the first receiver is not needed here
//!     let listeners: Vec<_> = (0..3)
//!         .map(|id| {
//!             let mut rx = tx.subscribe();
//!             evloop::spawn(async move {
//!                 let mut heard = Vec::new();
//!                 while let Ok(msg) = rx.recv().await {
//!                     heard.push(format!("{id}:{msg}"));
//!                 }
//!                 heard
//!             })
//!         })
//!         .collect();
//!     tx.send("join").unwrap();
//!     tx.send("leave").unwrap();
//!     drop(tx); // closes the channel: each listener ends after taking both
//!     for (id, listener) in listeners.into_iter().enumerate() {
//!         assert_eq!(listener.await.unwrap(), [format!("{id}:join"), format!("{id}:leave")]);
//!     }
//! });
//! ```
//!
//! # Traps
//!
//! - **Lagging is the design, not a failure.** Size `capacity` for the longest burst a
//!   receiver may fall behind by; handle [`RecvError::Lagged`] (often by logging and going
//!   on) rather than treating every error as the end.
//! - **A receiver made before sending is needed.** Messages sent while no receiver is
//!   subscribed are refused ([`SendError`] gives the value back), and a receiver made by
//!   `subscribe` sees only messages sent after it.
//! - **Loop-local.** The halves share an `Rc`, so they are `!Send`: they serve the tasks of
//!   one loop, with no atomics.

pub mod error;
mod receiver;
mod ring;
mod sender;

pub use error::{RecvError, SendError, TryRecvError};
pub use receiver::{Receiver, Recv};
pub use sender::Sender;

use std::cell::RefCell;
use std::rc::Rc;

use ring::Ring;

/// Makes a broadcast channel that keeps the last `capacity` messages for its receivers.
///
/// ```
/// use evloop::sync::broadcast;
/// evloop::run(async {
///     let (tx, mut rx1) = broadcast::channel(16);
///     let mut rx2 = tx.subscribe();
///     tx.send(10).unwrap();
///     assert_eq!(rx1.recv().await, Ok(10));
///     assert_eq!(rx2.recv().await, Ok(10));
/// });
/// ```
///
/// # Panics
/// If `capacity` is 0: a receiver could never take a message.
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "broadcast::channel needs a capacity of at least 1"
    );
    let ring = Rc::new(RefCell::new(Ring::new(capacity)));
    (Sender::new(ring.clone()), Receiver::first(ring))
}
