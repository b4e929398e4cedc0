//! The [`Sender`] of a bounded channel, which waits while the buffer is full, and its
//! [`SendFuture`].

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use evloop_reactor::wait_site::WaitKind;

use super::chan::Chan;
use super::error::{SendError, TrySendError};
use crate::flavour::{Flavour, Shared, TryAcquireError, Waiter};
use crate::park;
use crate::waker_slot::wake;

/// Sends into a bounded [`channel`](super::channel); clone it for more producers.
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
pub struct Sender<T, F: Flavour> {
    /// The channel.
    chan: F::Ptr<Chan<T, F>>,
}

impl<T, F: Flavour> Sender<T, F> {
    /// The first sender of `chan`, which counts it already.
    pub(super) fn new(chan: F::Ptr<Chan<T, F>>) -> Sender<T, F> {
        Sender { chan }
    }

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
    #[track_caller]
    pub fn send(&self, value: T) -> SendFuture<'_, T, F> {
        SendFuture {
            chan: &self.chan,
            value: Some(value),
            room: Waiter::new(1, WaitKind::ChannelSend, Location::caller()),
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
        let receiver = self.chan.with(|state| {
            if state.rx_closed {
                return Err(TrySendError::Closed(value));
            }
            match state.room.try_acquire(1) {
                Ok(()) => Ok(state.push(value)),
                Err(TryAcquireError::NoPermits) => Err(TrySendError::Full(value)),
                Err(TryAcquireError::Closed) => Err(TrySendError::Closed(value)),
            }
        })?;
        wake(receiver);
        Ok(())
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
        self.chan.with(|state| state.room.available())
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
        self.chan.with(|state| state.rx_closed)
    }
}

/// The flavour that crosses threads, [`evloop::sync::shared::mpsc`](crate::shared::mpsc).
impl<T> Sender<T, Shared> {
    /// Blocks the calling thread until `value` is sent (or the receiver is gone). For
    /// threads without a loop; on a loop's thread it would stop the loop, so it panics
    /// there.
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
}

impl<T, F: Flavour> Clone for Sender<T, F> {
    fn clone(&self) -> Sender<T, F> {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T, F: Flavour> Drop for Sender<T, F> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T, F: Flavour> fmt::Debug for Sender<T, F> {
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
pub struct SendFuture<'a, T, F: Flavour> {
    /// The channel.
    chan: &'a Chan<T, F>,
    /// The message, until it is pushed or handed back.
    value: Option<T>,
    /// Waits for a free buffer slot.
    room: Waiter,
}

// The message is only moved, never pinned, so the future may move whatever `T` is.
impl<T, F: Flavour> Unpin for SendFuture<'_, T, F> {}

impl<T, F: Flavour> Future for SendFuture<'_, T, F> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let (value, room) = (&mut this.value, &mut this.room);
        let mut take = || value.take().expect("SendFuture polled after completion");
        let pushed = this.chan.with(|state| {
            if state.rx_closed {
                return Poll::Ready(Err(SendError(take())));
            }
            match room.poll_locked(&mut state.room, cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Err(_closed)) => Poll::Ready(Err(SendError(take()))),
                // The slot's permit now belongs to the message, until it is received.
                Poll::Ready(Ok(())) => Poll::Ready(Ok(state.push(take()))),
            }
        });
        match pushed {
            Poll::Ready(Ok(receiver)) => {
                wake(receiver);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(unsent)) => Poll::Ready(Err(unsent)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, F: Flavour> Drop for SendFuture<'_, T, F> {
    #[inline]
    fn drop(&mut self) {
        self.room.cancel(self.chan);
    }
}

impl<T, F: Flavour> fmt::Debug for SendFuture<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture").finish_non_exhaustive()
    }
}
