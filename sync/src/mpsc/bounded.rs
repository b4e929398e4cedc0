//! The [`Sender`] of a bounded loop-local channel, which waits while the buffer is full.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::chan::Chan;
use super::error::{SendError, TrySendError};
use crate::semaphore::{Acquire, TryAcquireError};

/// Sends into a bounded loop-local [`channel`](super::channel); clone it for more
/// producers.
///
/// [`send`](Sender::send) waits while the buffer is full (backpressure); senders waiting
/// for room are served in FIFO order.
///
/// ```
/// use evloop::sync::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::channel(8);
///     for id in 0..3 {
///         let tx = tx.clone(); // one sender per producer
///         evloop::spawn(async move { tx.send(id).await.unwrap() });
///     }
///     drop(tx); // only the producers' clones keep the channel open
///     let mut got = Vec::new();
///     while let Some(id) = rx.recv().await {
///         got.push(id);
///     }
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
pub struct Sender<T> {
    pub(super) chan: Rc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room if the buffer is full. Fails with the value back if
    /// the receiver is gone.
    ///
    /// Cancel-safe: if the future is dropped before it completes, the value was not sent
    /// (it is dropped with the future) and no buffer slot is held back; a slot that had
    /// just been handed to it goes to the next waiting sender.
    ///
    /// ```
    /// use evloop::sync::mpsc;
    /// evloop::run(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send("first").await.unwrap(); // room: completes at once
    ///     let (sent, got) = evloop::gather!(tx.send("second"), rx.recv()).await; // waits for room
    ///     assert!(sent.is_ok());
    ///     assert_eq!(got, Some("first"));
    ///     drop(rx);
    ///     assert_eq!(tx.send("lost").await.unwrap_err().0, "lost"); // receiver gone: value back
    /// });
    /// ```
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture {
            chan: &self.chan,
            value: Some(value),
            acquire: self.capacity_semaphore().acquire(),
        }
    }

    /// Sends `value` if the buffer has room and no sender waits for room; never waits.
    ///
    /// ```
    /// use evloop::sync::mpsc::{self, TrySendError};
    /// let (tx, rx) = mpsc::channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        if self.chan.rx_closed.get() {
            return Err(TrySendError::Closed(value));
        }
        match self.capacity_semaphore().try_acquire() {
            Ok(permit) => {
                permit.forget();
                self.chan.push(value);
                Ok(())
            }
            Err(TryAcquireError::NoPermits) => Err(TrySendError::Full(value)),
            Err(TryAcquireError::Closed) => Err(TrySendError::Closed(value)),
        }
    }

    /// Free buffer slots now.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::mpsc::channel(2);
    /// assert_eq!(tx.capacity(), 2);
    /// tx.try_send('a').unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// rx.try_recv().unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity_semaphore().available_permits()
    }

    /// Whether the receiver is gone, so sends fail.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.rx_closed.get()
    }

    fn capacity_semaphore(&self) -> &crate::Semaphore {
        self.chan
            .capacity
            .as_ref()
            .expect("a bounded channel has a capacity semaphore")
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future of [`Sender::send`].
///
/// ```
/// use std::time::Duration;
/// use evloop::sync::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::channel(1);
///     tx.send(1).await.unwrap();
///     let blocked: mpsc::SendFuture<'_, i32> = tx.send(2); // full: this one waits
///     // Dropped before it completes: 2 is not sent, and no slot is held back.
///     assert!(evloop::time::timeout(Duration::from_millis(1), blocked).await.is_err());
///     assert_eq!(rx.recv().await, Some(1));
///     assert!(rx.try_recv().is_err());
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture<'a, T> {
    chan: &'a Chan<T>,
    /// The message, until it is pushed or handed back.
    value: Option<T>,
    /// Waits for a free buffer slot.
    acquire: Acquire<'a>,
}

// The message is only moved, never pinned, so the future may move whatever `T` is.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let take =
            |value: &mut Option<T>| value.take().expect("SendFuture polled after completion");
        if this.chan.rx_closed.get() {
            return Poll::Ready(Err(SendError(take(&mut this.value))));
        }
        match Pin::new(&mut this.acquire).poll(cx) {
            Poll::Ready(Ok(permit)) => {
                permit.forget(); // the slot now belongs to the message, until received
                this.chan.push(take(&mut this.value));
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(_closed)) => Poll::Ready(Err(SendError(take(&mut this.value)))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture").finish_non_exhaustive()
    }
}
