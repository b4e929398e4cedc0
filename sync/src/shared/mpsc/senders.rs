//! The senders of a `Send` channel: [`Sender`] (bounded, waits for room) and
//! [`UnboundedSender`] (never waits).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::Chan;
use crate::mpsc::{SendError, TrySendError};
use crate::sem_core::Waiter;
use crate::semaphore::TryAcquireError;
use crate::shared::park;

/// Sends into a bounded `Send` [`channel`](super::channel) from any thread; clone it for
/// more producers. [`send`](Sender::send) waits while the buffer is full; senders waiting
/// for room are served in FIFO order.
///
/// ```
/// use evloop::sync::shared::mpsc;
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
    pub(super) chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room if the buffer is full. Fails with the value back if
    /// the receiver is gone.
    ///
    /// Cancel-safe: if the future is dropped before it completes, the value was not sent
    /// and no buffer slot is held back.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc;
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
            room: Waiter::new(1),
        }
    }

    /// Blocks the calling thread until `value` is sent (or the receiver is gone). For
    /// threads without a loop; on a loop's thread it would stop the loop.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc;
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap(); // a plain thread: no loop, it blocks for room
    ///     }
    /// });
    /// let got = evloop::run(async move {
    ///     let mut got = Vec::new();
    ///     while let Some(i) = rx.recv().await {
    ///         got.push(i);
    ///     }
    ///     got
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        park::block_on(self.send(value))
    }

    /// Sends `value` if the buffer has room and no sender waits for room; never waits.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc::{self, TrySendError};
    /// let (tx, rx) = mpsc::channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let waker = {
            let mut state = self.chan.lock();
            if state.rx_closed {
                return Err(TrySendError::Closed(value));
            }
            match state.room.try_acquire(1) {
                Ok(()) => {}
                Err(TryAcquireError::NoPermits) => return Err(TrySendError::Full(value)),
                Err(TryAcquireError::Closed) => return Err(TrySendError::Closed(value)),
            }
            state.buffer.push_back(value);
            state.rx_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Free buffer slots now.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::shared::mpsc::channel(2);
    /// assert_eq!(tx.capacity(), 2);
    /// tx.try_send('a').unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// rx.try_recv().unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.lock().room.available()
    }

    /// Whether the receiver is gone, so sends fail.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::shared::mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.lock().rx_closed
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
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The future of [`Sender::send`].
///
/// ```
/// use std::time::Duration;
/// use evloop::sync::shared::mpsc;
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
    room: Waiter,
}

// The message is only moved, never pinned, so the future may move whatever `T` is.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let value = &mut this.value;
        let mut take = || value.take().expect("SendFuture polled after completion");
        let waker = {
            let mut state = this.chan.lock();
            if state.rx_closed {
                return Poll::Ready(Err(SendError(take())));
            }
            match this.room.poll_locked(&mut state.room, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(_closed)) => return Poll::Ready(Err(SendError(take()))),
                Poll::Ready(Ok(())) => {}
            }
            // The slot's permit now belongs to the message, until it is received.
            state.buffer.push_back(take());
            state.rx_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Poll::Ready(Ok(()))
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        self.room.cancel(self.chan);
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture").finish_non_exhaustive()
    }
}

/// Sends into a `Send` [`unbounded_channel`](super::unbounded_channel) from any thread;
/// clone it for more producers. Sending never waits, so it is a plain call on any thread.
///
/// ```
/// let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap(); // never waits: the buffer grows
/// }
/// assert_eq!(rx.len(), 1000);
/// ```
pub struct UnboundedSender<T> {
    pub(super) chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` and wakes the receiver. Fails with the value back if the receiver is
    /// gone.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::shared::mpsc::unbounded_channel();
    /// assert!(tx.send("kept").is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send("returned").unwrap_err().0, "returned");
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let waker = {
            let mut state = self.chan.lock();
            if state.rx_closed {
                return Err(SendError(value));
            }
            state.buffer.push_back(value);
            state.rx_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Whether the receiver is gone, so sends fail.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel::<u8>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.lock().rx_closed
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> UnboundedSender<T> {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}
