//! The [`Receiver`] of a broadcast channel and its [`Recv`] future.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::error::{RecvError, TryRecvError};
use evloop_reactor::wait_site::{WaitDetail, WaitKind};

use super::ring::Ring;
use crate::wait_site::note_wait;
use crate::waiters::Key;

/// Takes every message sent into a broadcast [`channel`](super::channel) after it
/// subscribed, in order, each a clone (the last receiver to take a message gets the
/// original).
///
/// A receiver that falls `capacity` messages behind loses the oldest ones:
/// [`recv`](Receiver::recv) then returns [`RecvError::Lagged`] with the exact number
/// missed, and carries on from the oldest message still kept. Dropping a receiver releases
/// its claim on every message it had not taken yet, so they are freed as soon as the other
/// receivers have them.
///
/// ```
/// use evloop::sync::broadcast::{self, RecvError};
/// evloop::run(async {
///     let (tx, mut rx) = broadcast::channel(8);
///     evloop::spawn(async move {
///         for tick in 0..3 {
///             tx.send(tick).unwrap();
///         }
///     }); // the sender is dropped here: the channel closes
///     let mut got = Vec::new();
///     loop {
///         match rx.recv().await {
///             Ok(tick) => got.push(tick),
///             Err(RecvError::Lagged(missed)) => eprintln!("missed {missed}"),
///             Err(RecvError::Closed) => break,
///         }
///     }
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
pub struct Receiver<T> {
    /// The channel.
    ring: Rc<RefCell<Ring<T>>>,
    /// The position of the next message this receiver takes.
    next: u64,
}

impl<T> Receiver<T> {
    /// A new receiver of `ring` that starts at the next message sent.
    pub(super) fn subscribe(ring: Rc<RefCell<Ring<T>>>) -> Receiver<T> {
        let next = {
            let mut state = ring.borrow_mut();
            state.receivers += 1;
            state.tail()
        };
        Receiver { ring, next }
    }

    /// The first receiver of `ring`, which counts it already.
    pub(super) fn first(ring: Rc<RefCell<Ring<T>>>) -> Receiver<T> {
        Receiver { ring, next: 0 }
    }

    /// A new receiver of the same channel that starts at the next message sent, like
    /// [`Sender::subscribe`](super::Sender::subscribe) (a receiver is not `Clone`: a
    /// clone's place in the stream would be ambiguous).
    ///
    /// ```
    /// use evloop::sync::broadcast;
    /// let (tx, mut rx) = broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut other = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(other.try_recv(), Ok(2)); // it starts after 1
    /// ```
    pub fn resubscribe(&self) -> Receiver<T> {
        Receiver::subscribe(self.ring.clone())
    }

    /// How many messages were sent that this receiver has not taken yet, including any
    /// already overwritten (those it will learn about as `Lagged`).
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::broadcast::channel(2);
    /// for i in 0..3 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(rx.len(), 3); // one of them is already overwritten
    /// ```
    pub fn len(&self) -> usize {
        let unseen = self.ring.borrow().unseen(self.next);
        usize::try_from(unseen).unwrap_or(usize::MAX)
    }

    /// Whether this receiver has taken every message sent so far.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::broadcast::channel(2);
    /// assert!(rx.is_empty());
    /// tx.send(()).unwrap();
    /// assert!(!rx.is_empty());
    /// rx.try_recv().unwrap();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Clone> Receiver<T> {
    /// Waits for this receiver's next message. Fails with [`RecvError::Lagged`] if
    /// messages it had not taken were overwritten (the next call goes on from the oldest
    /// one kept), and with [`RecvError::Closed`] once every sender is gone and it has taken
    /// everything left.
    ///
    /// Cancel-safe: a message is taken only when the future returns it, so dropping the
    /// future (in [`race`](../../fn.race.html), a timeout, an aborted task) loses nothing.
    ///
    /// ```
    /// use evloop::sync::broadcast;
    /// evloop::run(async {
    ///     let (tx, mut rx) = broadcast::channel(4);
    ///     evloop::spawn(async move { tx.send("news").unwrap() });
    ///     assert_eq!(rx.recv().await, Ok("news"));
    /// });
    /// ```
    #[track_caller]
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            key: None,
            site: Location::caller(),
        }
    }

    /// Takes this receiver's next message if there is one; never waits.
    ///
    /// ```
    /// use evloop::sync::broadcast::{self, TryRecvError};
    /// let (tx, mut rx) = broadcast::channel(4);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(5).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.ring.borrow_mut().take(&mut self.next)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.ring.borrow_mut().receivers -= 1;
        // Release the claims one at a time, dropping each freed message outside the cell:
        // its own drop may use the channel.
        loop {
            let freed = {
                let mut ring = self.ring.borrow_mut();
                if ring.unseen(self.next) == 0 {
                    break;
                }
                ring.release_one(&mut self.next)
            };
            drop(freed);
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("unseen", &self.len())
            .finish()
    }
}

/// The future of [`Receiver::recv`].
///
/// ```
/// use evloop::sync::broadcast;
/// evloop::run(async {
///     let (tx, mut rx) = broadcast::channel::<u8>(4);
///     let next: broadcast::Recv<'_, u8> = rx.recv();
///     drop(next); // cancel-safe: dropping it loses nothing
///     tx.send(9).unwrap();
///     assert_eq!(rx.recv().await, Ok(9));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    /// The receiver to take the next message for.
    rx: &'a mut Receiver<T>,
    /// Our place among the waiting receivers, while waiting.
    key: Option<Key>,
    /// The user's `recv()` call: the wait's site in task dumps.
    site: &'static Location<'static>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let poll =
            this.rx
                .ring
                .borrow_mut()
                .poll_take(&mut this.rx.next, &mut this.key, cx.waker());
        if poll.is_pending() {
            note_wait(
                WaitKind::BroadcastReceive,
                Some(this.site),
                WaitDetail::None,
            );
        }
        poll
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.rx.ring.borrow_mut().cancel(key);
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}
