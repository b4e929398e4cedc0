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
pub struct Sender<T> {
    pub(super) chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room if the buffer is full. Fails with the value back if
    /// the receiver is gone.
    ///
    /// Cancel-safe: if the future is dropped before it completes, the value was not sent
    /// and no buffer slot is held back.
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture {
            chan: &self.chan,
            value: Some(value),
            room: Waiter::new(1),
        }
    }

    /// Blocks the calling thread until `value` is sent (or the receiver is gone). For
    /// threads without a loop; on a loop's thread it would stop the loop.
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        park::block_on(self.send(value))
    }

    /// Sends `value` if the buffer has room and no sender waits for room; never waits.
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
    pub fn capacity(&self) -> usize {
        self.chan.lock().room.available()
    }

    /// Whether the receiver is gone, so sends fail.
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
pub struct UnboundedSender<T> {
    pub(super) chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` and wakes the receiver. Fails with the value back if the receiver is
    /// gone.
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
