//! Multi-producer, single-consumer channels whose halves may live on different threads:
//! threads (a `std::thread`, a [`spawn_blocking`](../../../fn.spawn_blocking.html) job, or
//! another loop) send, and a loop task receives — or the other way round.
//!
//! The same types and code as the loop-local [`mpsc`](crate::mpsc) (their methods are
//! documented on [`flavour::mpsc`]), `Send` and `Sync` when `T: Send`, plus
//! [`blocking_send`](flavour::mpsc::Sender::blocking_send) and
//! [`blocking_recv`](flavour::mpsc::Receiver::blocking_recv) for threads without a loop.
//! The state sits behind one `std::sync::Mutex`; the receiver of an unbounded channel takes
//! everything buffered in one lock, then hands it out lock-free.
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

use crate::flavour::{self, Shared};

pub use flavour::mpsc::{SendError, TryRecvError, TrySendError};

/// Sends into a bounded `Send` [`channel`] from any thread, waiting while the buffer is
/// full; threads without a loop call
/// [`blocking_send`](flavour::mpsc::Sender::blocking_send). Its methods:
/// [`flavour::mpsc::Sender`].
///
/// ```
/// let (tx, mut rx) = evloop::sync::shared::mpsc::channel(4);
/// let producers: Vec<_> = (0..2u8)
///     .map(|id| {
///         let tx: evloop::sync::shared::mpsc::Sender<u8> = tx.clone();
///         std::thread::spawn(move || tx.blocking_send(id).unwrap())
///     })
///     .collect();
/// drop(tx);
/// producers.into_iter().for_each(|p| p.join().unwrap());
/// let mut got = [rx.blocking_recv().unwrap(), rx.blocking_recv().unwrap()];
/// got.sort();
/// assert_eq!(got, [0, 1]);
/// ```
pub type Sender<T> = flavour::mpsc::Sender<T, Shared>;

/// Sends into a `Send` [`unbounded_channel`] from any thread, without ever waiting. Its
/// methods: [`flavour::mpsc::UnboundedSender`].
///
/// ```
/// let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel();
/// let tx: evloop::sync::shared::mpsc::UnboundedSender<&str> = tx;
/// std::thread::spawn(move || tx.send("from a thread").unwrap()).join().unwrap();
/// assert_eq!(evloop::run(rx.recv()), Some("from a thread"));
/// ```
pub type UnboundedSender<T> = flavour::mpsc::UnboundedSender<T, Shared>;

/// Takes the messages of a `Send` channel, in order, on any thread: await
/// [`recv`](flavour::mpsc::Receiver::recv) in a loop task or call
/// [`blocking_recv`](flavour::mpsc::Receiver::blocking_recv) on a thread without a loop.
/// Its methods: [`flavour::mpsc::Receiver`].
///
/// ```
/// let (tx, rx) = evloop::sync::shared::mpsc::unbounded_channel::<u8>();
/// let mut rx: evloop::sync::shared::mpsc::Receiver<u8> = rx;
/// let consumer = std::thread::spawn(move || rx.blocking_recv());
/// tx.send(5).unwrap();
/// assert_eq!(consumer.join().unwrap(), Some(5));
/// ```
pub type Receiver<T> = flavour::mpsc::Receiver<T, Shared>;

/// The receiver of an [`unbounded_channel`]: the same type as a bounded channel's.
///
/// ```
/// use evloop::sync::shared::mpsc::{self, UnboundedReceiver};
/// let (tx, rx): (_, UnboundedReceiver<u8>) = mpsc::unbounded_channel();
/// let (_bounded_tx, _same_type): (_, mpsc::Receiver<u8>) = mpsc::channel(1);
/// # drop((tx, rx));
/// ```
pub type UnboundedReceiver<T> = Receiver<T>;

/// The future of [`Sender::send`](flavour::mpsc::Sender::send) on a `Send` channel: it
/// may be awaited in a task of any loop.
///
/// ```
/// let (tx, mut rx) = evloop::sync::shared::mpsc::channel(1);
/// let sending: evloop::sync::shared::mpsc::SendFuture<'_, u8> = tx.send(1);
/// std::thread::scope(|s| {
///     s.spawn(|| evloop::run(sending).unwrap()); // awaited by another thread's loop
/// });
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub type SendFuture<'a, T> = flavour::mpsc::SendFuture<'a, T, Shared>;

/// The future of [`Receiver::recv`](flavour::mpsc::Receiver::recv) on a `Send` channel.
///
/// ```
/// let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel();
/// let waiter = std::thread::spawn(move || {
///     let next: evloop::sync::shared::mpsc::Recv<'_, u8> = rx.recv();
///     evloop::run(next)
/// });
/// tx.send(8).unwrap();
/// assert_eq!(waiter.join().unwrap(), Some(8));
/// ```
pub type Recv<'a, T> = flavour::mpsc::Recv<'a, T, Shared>;

/// Makes a bounded channel, whose halves may be sent to other threads, that buffers up to
/// `capacity` messages.
///
/// ```
/// use evloop::sync::shared::mpsc;
/// let (tx, mut rx) = mpsc::channel(16);
/// let worker = std::thread::spawn(move || tx.blocking_send("hello").unwrap());
/// assert_eq!(evloop::run(rx.recv()), Some("hello"));
/// worker.join().unwrap();
/// ```
///
/// # Panics
/// If `capacity` is 0 (a rendezvous channel is not supported).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    flavour::mpsc::channel(capacity)
}

/// Makes a channel, whose halves may be sent to other threads, whose buffer grows without
/// bound, so sending never waits.
///
/// ```
/// use evloop::sync::shared::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// std::thread::spawn(move || tx.send("no wait").unwrap()).join().unwrap();
/// assert_eq!(rx.blocking_recv(), Some("no wait"));
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    flavour::mpsc::unbounded_channel()
}
