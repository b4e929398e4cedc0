//! The multi-producer, single-consumer channels of both flavours, like an `asyncio.Queue`
//! with one consumer. Name them by their flavour: [`evloop::sync::mpsc`](crate::mpsc) or
//! [`evloop::sync::shared::mpsc`](crate::shared::mpsc), whose docs say when to use which;
//! the types' methods are documented here.
//!
//! Both keep a channel's whole state (buffer, receiver's waker, sender count, and for a
//! bounded channel its free slots and the FIFO of senders waiting for one) in one cell,
//! so every send and receive is one borrow (loop-local) or one lock (shared).
//!
//! ```
//! use evloop::sync::flavour::{mpsc, Local};
//! let (tx, mut rx) = mpsc::channel::<u8, Local>(4); // the same as evloop::sync::mpsc::channel(4)
//! tx.try_send(1).unwrap();
//! assert_eq!(rx.try_recv(), Ok(1));
//! ```

mod bounded;
mod chan;
mod error;
mod receiver;
mod unbounded;

pub use bounded::{SendFuture, Sender};
pub use error::{SendError, TryRecvError, TrySendError};
pub use receiver::{Receiver, Recv};
pub use unbounded::UnboundedSender;

use super::Flavour;
use chan::Chan;

/// The receiver of an [`unbounded_channel`]: the same type as a bounded channel's.
///
/// ```
/// use evloop::sync::flavour::{mpsc, Local};
/// let (_tx, rx) = mpsc::unbounded_channel::<u8, Local>();
/// let _same: mpsc::Receiver<u8, Local> = rx;
/// ```
pub type UnboundedReceiver<T, F> = Receiver<T, F>;

/// Makes a bounded channel of flavour `F` that buffers up to `capacity` messages.
///
/// ```
/// use evloop::sync::flavour::{mpsc, Shared};
/// let (tx, mut rx) = mpsc::channel::<u32, Shared>(16);
/// std::thread::spawn(move || tx.blocking_send(7).unwrap());
/// assert_eq!(rx.blocking_recv(), Some(7));
/// ```
///
/// # Panics
/// If `capacity` is 0 (a rendezvous channel is not supported).
pub fn channel<T, F: Flavour>(capacity: usize) -> (Sender<T, F>, Receiver<T, F>) {
    assert!(capacity > 0, "mpsc::channel needs a capacity of at least 1");
    let chan = Chan::<T, F>::new(Some(capacity));
    (Sender::new(chan.clone()), Receiver::new(chan))
}

/// Makes a channel of flavour `F` whose buffer grows without bound, so sending never
/// waits.
///
/// ```
/// use evloop::sync::flavour::{mpsc, Local};
/// let (tx, mut rx) = mpsc::unbounded_channel::<&str, Local>();
/// tx.send("no wait").unwrap();
/// assert_eq!(rx.try_recv(), Ok("no wait"));
/// ```
pub fn unbounded_channel<T, F: Flavour>() -> (UnboundedSender<T, F>, UnboundedReceiver<T, F>) {
    let chan = Chan::<T, F>::new(None);
    (UnboundedSender::new(chan.clone()), Receiver::new(chan))
}
