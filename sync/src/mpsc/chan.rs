//! The state a loop-local channel's halves share, and its [`Receiver`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::error::TryRecvError;
use crate::semaphore::Semaphore;
use crate::waker_slot::{register_cell, wake_cell};

/// One channel: the buffer, who waits on it, and who holds it.
pub(super) struct Chan<T> {
    /// Messages sent and not yet received, oldest first.
    pub(super) buffer: RefCell<VecDeque<T>>,
    /// The receiving task, woken by the next send or by the last sender leaving.
    pub(super) rx_waker: Cell<Option<Waker>>,
    /// Live senders; at 0 the receiver gets `None` once the buffer is empty.
    pub(super) senders: Cell<usize>,
    /// The receiver closed or was dropped: sends fail.
    pub(super) rx_closed: Cell<bool>,
    /// Bounded channels only: one permit per free buffer slot, and the FIFO of senders
    /// waiting for one. A sender that gets a permit pushes at once and forgets the permit;
    /// the receiver adds one back for every message it takes.
    pub(super) capacity: Option<Semaphore>,
}

impl<T> Chan<T> {
    /// A new channel with one sender and the given capacity semaphore.
    pub(super) fn new(capacity: Option<Semaphore>) -> Rc<Chan<T>> {
        Rc::new(Chan {
            buffer: RefCell::new(VecDeque::new()),
            rx_waker: Cell::new(None),
            senders: Cell::new(1),
            rx_closed: Cell::new(false),
            capacity,
        })
    }

    /// Appends a message and wakes the receiver.
    pub(super) fn push(&self, value: T) {
        self.buffer.borrow_mut().push_back(value);
        wake_cell(&self.rx_waker);
    }

    /// Counts one more sender.
    pub(super) fn add_sender(&self) {
        self.senders.set(self.senders.get() + 1);
    }

    /// Counts one sender less; the last one wakes the receiver so it sees the end.
    pub(super) fn drop_sender(&self) {
        let left = self.senders.get() - 1;
        self.senders.set(left);
        if left == 0 {
            wake_cell(&self.rx_waker);
        }
    }
}

/// Takes the messages of a loop-local [`channel`](super::channel) or
/// [`unbounded_channel`](super::unbounded_channel), in the order they were sent.
///
/// [`recv`](Receiver::recv) returns `None` once every sender is gone and the buffer is
/// empty. Dropping the receiver closes the channel: sends fail and give the value back, and
/// the messages still buffered are dropped.
///
/// ```
/// use evloop::sync::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::unbounded_channel();
///     tx.send(1).unwrap();
///     tx.send(2).unwrap();
///     drop(tx);
///     assert_eq!(rx.recv().await, Some(1)); // in order...
///     assert_eq!(rx.recv().await, Some(2));
///     assert_eq!(rx.recv().await, None); // ...then None: every sender is gone
/// });
/// ```
pub struct Receiver<T> {
    pub(super) chan: Rc<Chan<T>>,
}

impl<T> Receiver<T> {
    /// Waits for the next message; `None` when all senders are gone and nothing is left.
    /// Cancel-safe: dropping the future before it completes loses no message.
    ///
    /// ```
    /// use evloop::sync::mpsc;
    /// evloop::run(async {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     evloop::spawn(async move { tx.send("job").await.unwrap() });
    ///     assert_eq!(rx.recv().await, Some("job")); // `await queue.get()`
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { rx: self }
    }

    /// The poll behind [`recv`](Receiver::recv), for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// evloop::run(async {
    ///     let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel();
    ///     tx.send(5).unwrap();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv(cx)).await, Some(5));
    /// });
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.try_recv() {
            Ok(value) => Poll::Ready(Some(value)),
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => {
                register_cell(&self.chan.rx_waker, cx.waker());
                Poll::Pending
            }
        }
    }

    /// Takes the next message if one is buffered; never waits.
    ///
    /// ```
    /// use evloop::sync::mpsc::{self, TryRecvError};
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty)); // `queue.get_nowait()` raising QueueEmpty
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let chan = &*self.chan;
        let popped = chan.buffer.borrow_mut().pop_front();
        match popped {
            Some(value) => {
                if let Some(capacity) = &chan.capacity {
                    capacity.add_permits(1); // the slot is free: the oldest waiting sender gets it
                }
                Ok(value)
            }
            None if chan.senders.get() == 0 || chan.rx_closed.get() => {
                Err(TryRecvError::Disconnected)
            }
            None => Err(TryRecvError::Empty),
        }
    }

    /// Closes the channel without dropping the receiver: sends fail from now on (senders
    /// waiting for room get their value back), and the buffered messages can still be
    /// received, after which `recv` returns `None`.
    ///
    /// ```
    /// use evloop::sync::mpsc;
    /// evloop::run(async {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert!(tx.send(2).await.is_err()); // refused from now on
    ///     assert_eq!(rx.recv().await, Some(1)); // what was buffered still arrives
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn close(&mut self) {
        if self.chan.rx_closed.replace(true) {
            return;
        }
        if let Some(capacity) = &self.chan.capacity {
            capacity.close();
        }
    }

    /// Messages buffered now.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::mpsc::unbounded_channel();
    /// tx.send('a').unwrap();
    /// tx.send('b').unwrap();
    /// assert_eq!(rx.len(), 2); // `queue.qsize()`
    /// ```
    pub fn len(&self) -> usize {
        self.chan.buffer.borrow().len()
    }

    /// Whether no message is buffered now.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel();
    /// assert!(rx.is_empty()); // `queue.empty()`
    /// tx.send(()).unwrap();
    /// assert!(!rx.is_empty());
    /// rx.try_recv().unwrap();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        // Drop the messages outside the borrow: a message's own drop may use the channel.
        let rest = std::mem::take(&mut *self.chan.buffer.borrow_mut());
        drop(rest);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("buffered", &self.len())
            .finish()
    }
}

/// The future of [`Receiver::recv`].
///
/// ```
/// use evloop::sync::mpsc;
/// evloop::run(async {
///     let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
///     let next: mpsc::Recv<'_, u8> = rx.recv();
///     drop(next); // cancel-safe: dropping it loses nothing
///     tx.send(9).unwrap();
///     assert_eq!(rx.recv().await, Some(9));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
