//! A loop-local one-shot channel: one value, from one task to another (like resolving an
//! `asyncio.Future` that another task awaits).
//!
//! [`channel`] returns a [`Sender`] and a [`Receiver`]. [`Sender::send`] hands over the
//! value without waiting; the `Receiver` is a future that yields it, or
//! [`RecvError`] if the sender was dropped without sending. Both halves share one `Rc`
//! allocation and need no atomics. For a sender on another thread use
//! [`shared::oneshot`](crate::shared::oneshot).
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

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::waker_slot::{register_cell, wake_cell};

/// Makes a one-shot channel: the [`Sender`] sends one value to the [`Receiver`].
///
/// ```
/// evloop::run(async {
///     let (tx, rx) = evloop::sync::oneshot::channel();
///     evloop::spawn(async move { tx.send("result").unwrap() });
///     assert_eq!(rx.await, Ok("result"));
/// });
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(Inner {
        value: Cell::new(None),
        rx_waker: Cell::new(None),
        tx_waker: Cell::new(None),
        tx_gone: Cell::new(false),
        rx_closed: Cell::new(false),
    });
    (
        Sender {
            inner: inner.clone(),
        },
        Receiver { inner },
    )
}

/// What both halves share.
struct Inner<T> {
    /// The value, from `send` until the receiver takes it.
    value: Cell<Option<T>>,
    /// The receiving task, woken when the sender sends or goes away.
    rx_waker: Cell<Option<Waker>>,
    /// The task in [`Sender::closed`], woken when the receiver closes or goes away.
    tx_waker: Cell<Option<Waker>>,
    /// The sender has sent or was dropped: nothing more will come.
    tx_gone: Cell<bool>,
    /// The receiver was closed or dropped: a send would be lost, so it fails.
    rx_closed: Cell<bool>,
}

/// Sends the one value of a [`channel`].
///
/// ```
/// let (tx, mut rx) = evloop::sync::oneshot::channel();
/// assert!(!tx.is_closed());
/// tx.send(1).unwrap(); // consumes the sender: one value only
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Sender<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver. Never waits. Fails with the value back if the
    /// receiver was dropped or closed.
    ///
    /// ```
    /// use evloop::sync::oneshot;
    /// let (tx, rx) = oneshot::channel();
    /// assert_eq!(tx.send(1), Ok(()));
    /// assert_eq!(evloop::run(rx), Ok(1));
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(2), Err(2)); // nobody to receive it: the value comes back
    /// ```
    pub fn send(self, value: T) -> Result<(), T> {
        if self.inner.rx_closed.get() {
            return Err(value);
        }
        self.inner.value.set(Some(value));
        Ok(()) // dropping `self` wakes the receiver
    }

    /// Whether the receiver was dropped or closed, so a send would fail.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.rx_closed.get()
    }

    /// Waits until the receiver is dropped or closed: a producer can race its work against
    /// this to stop early when no one wants the result any more.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evloop::sync::oneshot;
    /// evloop::run(async {
    ///     let (mut tx, rx) = oneshot::channel::<u64>();
    ///     let producer = evloop::spawn(async move {
    ///         let work = async { evloop::time::sleep(Duration::from_secs(60)).await; 42 };
    ///         // Stop early if the consumer loses interest.
    ///         evloop::race(async { Some(work.await) }, async { tx.closed().await; None }).await
    ///     });
    ///     drop(rx);
    ///     assert_eq!(producer.await.unwrap(), None);
    /// });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| {
            if self.inner.rx_closed.get() {
                Poll::Ready(())
            } else {
                register_cell(&self.inner.tx_waker, cx.waker());
                Poll::Pending
            }
        })
        .await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.inner.tx_gone.set(true);
        wake_cell(&self.inner.rx_waker);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Receives the one value of a [`channel`]; await it.
///
/// ```
/// use evloop::sync::oneshot;
/// evloop::run(async {
///     let (tx, rx) = oneshot::channel::<u8>();
///     drop(tx);
///     assert!(rx.await.is_err()); // RecvError: the sender is gone, nothing will come
/// });
/// ```
pub struct Receiver<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent; never waits.
    ///
    /// ```
    /// use evloop::sync::oneshot::{self, TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(7).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(7));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed)); // taken already
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match self.inner.value.take() {
            Some(value) => Ok(value),
            None if self.inner.tx_gone.get() => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Refuses the value from now on: a later `send` fails and gives the value back. A
    /// value sent before stays receivable with [`try_recv`](Receiver::try_recv).
    ///
    /// ```
    /// use evloop::sync::oneshot;
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send("late"), Err("late"));
    /// ```
    pub fn close(&mut self) {
        if !self.inner.rx_closed.replace(true) {
            wake_cell(&self.inner.tx_waker);
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &self.inner;
        if let Some(value) = inner.value.take() {
            Poll::Ready(Ok(value))
        } else if inner.tx_gone.get() {
            Poll::Ready(Err(RecvError(())))
        } else {
            register_cell(&inner.rx_waker, cx.waker());
            Poll::Pending
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        drop(self.inner.value.take());
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The [`Sender`] was dropped without sending.
///
/// ```
/// use evloop::sync::oneshot;
/// let (tx, rx) = oneshot::channel::<()>();
/// drop(tx);
/// let err = evloop::run(rx).unwrap_err();
/// assert!(!err.to_string().is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError(pub(crate) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending")
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`] returned no value.
///
/// ```
/// use evloop::sync::oneshot::{self, TryRecvError};
/// let (tx, mut rx) = oneshot::channel::<u8>();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing sent yet; the sender is still alive.
    Empty,
    /// The sender was dropped without sending, or the value was already taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "no value sent yet",
            TryRecvError::Closed => "the oneshot sender is gone",
        })
    }
}

impl std::error::Error for TryRecvError {}
