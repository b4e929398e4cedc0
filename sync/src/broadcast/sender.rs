//! The [`Sender`] of a broadcast channel.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::error::SendError;
use super::receiver::Receiver;
use super::ring::Ring;

/// Sends every message to every [`Receiver`] of a [`channel`](super::channel); clone it for
/// more producers. Sending never waits: a receiver that falls `capacity` messages behind
/// loses the oldest ones and learns how many with
/// [`RecvError::Lagged`](super::RecvError::Lagged).
///
/// ```
/// use evloop::sync::broadcast;
/// evloop::run(async {
///     let (tx, mut first) = broadcast::channel(16);
///     let mut second = tx.subscribe();
///     tx.send("hello").unwrap();
///     assert_eq!(first.recv().await, Ok("hello"));
///     assert_eq!(second.recv().await, Ok("hello")); // every receiver sees every message
/// });
/// ```
pub struct Sender<T> {
    /// The channel.
    ring: Rc<RefCell<Ring<T>>>,
}

impl<T> Sender<T> {
    /// The first sender of `ring`, which counts it already.
    pub(super) fn new(ring: Rc<RefCell<Ring<T>>>) -> Sender<T> {
        Sender { ring }
    }

    /// Sends `value` to every receiver subscribed now, and returns how many there are.
    /// Never waits: if the ring is full, the oldest message is overwritten (receivers that
    /// had not taken it will get [`Lagged`](super::RecvError::Lagged)). Fails with the value
    /// back when there is no receiver at all.
    ///
    /// ```
    /// use evloop::sync::broadcast;
    /// let (tx, rx) = broadcast::channel(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send(1), Ok(2)); // two receivers will see it
    /// drop((rx, _rx2));
    /// assert_eq!(tx.send(2).unwrap_err().0, 2); // nobody listens: the value comes back
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let sent = {
            let mut ring = self.ring.borrow_mut();
            if ring.receivers == 0 {
                return Err(SendError(value));
            }
            let overwritten = ring.push(value);
            (ring.receivers, overwritten)
        };
        let (receivers, overwritten) = sent;
        drop(overwritten);
        self.wake_waiters();
        Ok(receivers)
    }

    /// A new receiver, which gets every message sent from now on (not the ones before).
    ///
    /// ```
    /// use evloop::sync::broadcast::{self, TryRecvError};
    /// let (tx, _rx) = broadcast::channel(4);
    /// tx.send("before").unwrap();
    /// let mut late = tx.subscribe();
    /// assert_eq!(late.try_recv(), Err(TryRecvError::Empty)); // "before" is not for it
    /// tx.send("after").unwrap();
    /// assert_eq!(late.try_recv(), Ok("after"));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver::subscribe(self.ring.clone())
    }

    /// How many receivers are subscribed now.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::broadcast::channel::<u8>(4);
    /// let rx2 = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop((rx, rx2));
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.ring.borrow().receivers
    }

    /// Wakes, one at a time and outside the cell, every receiver waiting for a message.
    fn wake_waiters(&self) {
        while let Some(waker) = self.ring.borrow_mut().next_waiter() {
            waker.wake();
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        self.ring.borrow_mut().senders += 1;
        Sender {
            ring: self.ring.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let left = {
            let mut ring = self.ring.borrow_mut();
            ring.senders -= 1;
            ring.senders
        };
        if left == 0 {
            self.wake_waiters(); // they see `Closed` once they have taken what is left
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish()
    }
}
