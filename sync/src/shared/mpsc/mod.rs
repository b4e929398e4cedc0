//! Multi-producer, single-consumer channels whose halves may live on different threads:
//! threads (a `std::thread`, a [`spawn_blocking`](../../../fn.spawn_blocking.html) job, or
//! another loop) send, and a loop task receives — or the other way round.
//!
//! The same API as the loop-local [`mpsc`](crate::mpsc), `Send` and `Sync` when `T: Send`,
//! plus [`Sender::blocking_send`] and [`Receiver::blocking_recv`] for threads without a
//! loop. The state sits behind one `std::sync::Mutex`; the receiver of an unbounded
//! channel takes everything buffered in one lock, then hands it out lock-free.
//!
//! ```
//! use evloop::sync::shared::mpsc;
//!
//! let (tx, mut rx) = mpsc::channel(16);
//! let total = evloop::run(async move {
//!     let worker = evloop::spawn_blocking(move || {
//!         for i in 1..=100u64 {
//!             tx.blocking_send(i).unwrap(); // waits while 16 are buffered
//!         }
//!     });
//!     let mut total = 0;
//!     while let Some(i) = rx.recv().await {
//!         total += i;
//!     }
//!     worker.await.unwrap();
//!     total
//! });
//! assert_eq!(total, 5050);
//! ```

mod chan;
mod senders;

pub use crate::mpsc::{SendError, TryRecvError, TrySendError};
pub use chan::{Receiver, Recv};
pub use senders::{SendFuture, Sender, UnboundedSender};

use chan::Chan;
use std::collections::VecDeque;

/// The receiver of an [`unbounded_channel`]: the same type as a bounded channel's.
///
/// ```
/// use evloop::sync::shared::mpsc::{self, UnboundedReceiver};
/// let (tx, rx): (_, UnboundedReceiver<u8>) = mpsc::unbounded_channel();
/// let (_bounded_tx, _same_type): (_, mpsc::Receiver<u8>) = mpsc::channel(1);
/// # drop((tx, rx));
/// ```
pub type UnboundedReceiver<T> = Receiver<T>;

/// Makes a bounded channel that buffers up to `capacity` messages.
///
/// ```
/// use evloop::sync::shared::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::channel(16); // asyncio.Queue(maxsize=16)
///     tx.send("hello").await.unwrap();
///     assert_eq!(rx.recv().await, Some("hello"));
/// });
/// ```
///
/// # Panics
/// If `capacity` is 0 (a rendezvous channel is not supported).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc::channel needs a capacity of at least 1");
    let chan = Chan::new(Some(capacity));
    let rx = Receiver {
        chan: chan.clone(),
        batch: VecDeque::new(),
    };
    (Sender { chan }, rx)
}

/// Makes a channel whose buffer grows without bound, so sending never waits.
///
/// ```
/// use evloop::sync::shared::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::unbounded_channel(); // asyncio.Queue()
///     tx.send("no wait").unwrap();
///     assert_eq!(rx.recv().await, Some("no wait"));
/// });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Chan::new(None);
    let rx = Receiver {
        chan: chan.clone(),
        batch: VecDeque::new(),
    };
    (UnboundedSender { chan }, rx)
}
