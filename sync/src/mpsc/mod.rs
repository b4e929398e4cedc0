//! Loop-local multi-producer, single-consumer channels, like an `asyncio.Queue` with one
//! consumer: many tasks send, one task receives, in order.
//!
//! - [`channel`]`(capacity)`: bounded. [`Sender::send`] waits while `capacity` messages
//!   are buffered (backpressure, like `await queue.put(x)` on a full `asyncio.Queue`);
//!   waiting senders get room in FIFO order.
//! - [`unbounded_channel`]`()`: [`UnboundedSender::send`] never waits
//!   (`queue.put_nowait(x)` on an unbounded queue).
//!
//! [`Receiver::recv`] returns messages in the order they were sent, and `None` once every
//! sender is gone and the buffer is empty. Dropping (or [closing](Receiver::close)) the
//! receiver makes sends fail with [`SendError`], which gives the value back.
//!
//! The halves share an `Rc` and need no atomics, so they are `!Send`: they stay on the
//! loop's thread (see the [crate docs](crate) for what the compiler says otherwise). To
//! send from another thread use [`shared::mpsc`](crate::shared::mpsc).
//!
//! ```
//! use evloop::sync::mpsc;
//!
//! evloop::run(async {
//!     let (tx, mut rx) = mpsc::channel(2);
//!     let producer = evloop::spawn(async move {
//!         for i in 0..5 {
//!             tx.send(i).await.unwrap(); // waits while 2 are buffered
//!         }
//!     }); // tx dropped here: the channel ends
//!     let mut got = Vec::new();
//!     while let Some(i) = rx.recv().await {
//!         got.push(i);
//!     }
//!     assert_eq!(got, [0, 1, 2, 3, 4]);
//!     producer.await.unwrap();
//! });
//! ```

mod bounded;
mod chan;
mod error;
mod unbounded;

pub use bounded::{SendFuture, Sender};
pub use chan::{Receiver, Recv};
pub use error::{SendError, TryRecvError, TrySendError};
pub use unbounded::UnboundedSender;

use crate::semaphore::Semaphore;
use chan::Chan;

/// The receiver of an [`unbounded_channel`]: the same type as a bounded channel's.
///
/// ```
/// use evloop::sync::mpsc::{self, UnboundedReceiver};
/// let (tx, rx): (_, UnboundedReceiver<u8>) = mpsc::unbounded_channel();
/// let (_bounded_tx, _same_type): (_, mpsc::Receiver<u8>) = mpsc::channel(1);
/// # drop((tx, rx));
/// ```
pub type UnboundedReceiver<T> = Receiver<T>;

/// Makes a bounded channel that buffers up to `capacity` messages.
///
/// ```
/// use evloop::sync::mpsc;
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
    let chan = Chan::new(Some(Semaphore::new(capacity)));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// Makes a channel whose buffer grows without bound, so sending never waits.
///
/// ```
/// use evloop::sync::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::unbounded_channel(); // asyncio.Queue()
///     tx.send("no wait").unwrap();
///     assert_eq!(rx.recv().await, Some("no wait"));
/// });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Chan::new(None);
    (UnboundedSender { chan: chan.clone() }, Receiver { chan })
}
