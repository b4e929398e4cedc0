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

use crate::flavour::{self, Local};

pub use flavour::mpsc::{SendError, TryRecvError, TrySendError};

/// Sends into a bounded loop-local [`channel`], waiting while the buffer is full; clone it
/// for more producers. Its methods: [`flavour::mpsc::Sender`].
///
/// ```
/// let (tx, mut rx) = evloop::sync::mpsc::channel(1);
/// let producer: evloop::sync::mpsc::Sender<&str> = tx.clone(); // one per producer
/// producer.try_send("from a clone").unwrap();
/// assert_eq!(rx.try_recv(), Ok("from a clone"));
/// ```
pub type Sender<T> = flavour::mpsc::Sender<T, Local>;

/// Sends into a loop-local [`unbounded_channel`] without ever waiting. Its methods:
/// [`flavour::mpsc::UnboundedSender`].
///
/// ```
/// let (tx, rx) = evloop::sync::mpsc::unbounded_channel();
/// let tx: evloop::sync::mpsc::UnboundedSender<u32> = tx;
/// tx.send(1).unwrap();
/// assert_eq!(rx.len(), 1);
/// ```
pub type UnboundedSender<T> = flavour::mpsc::UnboundedSender<T, Local>;

/// Takes the messages of a loop-local channel, in order. Its methods:
/// [`flavour::mpsc::Receiver`].
///
/// ```
/// evloop::run(async {
///     let (tx, mut rx): (_, evloop::sync::mpsc::Receiver<u8>) = evloop::sync::mpsc::channel(1);
///     drop(tx);
///     assert_eq!(rx.recv().await, None); // every sender is gone
/// });
/// ```
pub type Receiver<T> = flavour::mpsc::Receiver<T, Local>;

/// The receiver of an [`unbounded_channel`]: the same type as a bounded channel's.
///
/// ```
/// use evloop::sync::mpsc::{self, UnboundedReceiver};
/// let (tx, rx): (_, UnboundedReceiver<u8>) = mpsc::unbounded_channel();
/// let (_bounded_tx, _same_type): (_, mpsc::Receiver<u8>) = mpsc::channel(1);
/// # drop((tx, rx));
/// ```
pub type UnboundedReceiver<T> = Receiver<T>;

/// The future of [`Sender::send`](flavour::mpsc::Sender::send) on a loop-local channel.
///
/// ```
/// evloop::run(async {
///     let (tx, mut rx) = evloop::sync::mpsc::channel(1);
///     let sending: evloop::sync::mpsc::SendFuture<'_, char> = tx.send('x');
///     sending.await.unwrap();
///     assert_eq!(rx.recv().await, Some('x'));
/// });
/// ```
pub type SendFuture<'a, T> = flavour::mpsc::SendFuture<'a, T, Local>;

/// The future of [`Receiver::recv`](flavour::mpsc::Receiver::recv) on a loop-local channel.
///
/// ```
/// evloop::run(async {
///     let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel();
///     tx.send(3).unwrap();
///     let next: evloop::sync::mpsc::Recv<'_, i32> = rx.recv();
///     assert_eq!(next.await, Some(3));
/// });
/// ```
pub type Recv<'a, T> = flavour::mpsc::Recv<'a, T, Local>;

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
    flavour::mpsc::channel(capacity)
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
    flavour::mpsc::unbounded_channel()
}
