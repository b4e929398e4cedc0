//! The one-shot channel of both flavours: one value, from one task (or thread) to
//! another. Name it by its flavour: [`evloop::sync::oneshot`](crate::oneshot) or
//! [`evloop::sync::shared::oneshot`](crate::shared::oneshot), whose docs say when to use
//! which; the types' methods are documented here.
//!
//! ```
//! use evloop::sync::flavour::{oneshot, Local};
//! let (tx, rx) = oneshot::channel::<u8, Local>(); // the same as evloop::sync::oneshot::channel()
//! tx.send(1).unwrap();
//! assert_eq!(evloop::run(rx), Ok(1));
//! ```

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use evloop_reactor::wait_site::{WaitDetail, WaitKind};

use super::{Flavour, Shared};
use crate::park;
use crate::wait_site::note_wait;
use crate::waker_slot::{register, wake};

/// Makes a one-shot channel of flavour `F`: the [`Sender`] sends one value to the
/// [`Receiver`].
///
/// ```
/// use evloop::sync::flavour::{oneshot, Shared};
/// let (tx, rx) = oneshot::channel::<&str, Shared>();
/// std::thread::spawn(move || tx.send("from a thread").unwrap());
/// assert_eq!(rx.blocking_recv(), Ok("from a thread"));
/// ```
#[track_caller]
pub fn channel<T, F: Flavour>() -> (Sender<T, F>, Receiver<T, F>) {
    let inner = F::ptr(F::cell(State {
        value: None,
        rx_waker: None,
        tx_waker: None,
        tx_gone: false,
        rx_closed: false,
    }));
    (
        Sender {
            inner: inner.clone(),
        },
        Receiver {
            inner,
            site: Location::caller(),
        },
    )
}

/// What both halves share, in the flavour's cell.
struct State<T> {
    /// The value, from `send` until the receiver takes it.
    value: Option<T>,
    /// The receiving task, woken when the sender sends or goes away.
    rx_waker: Option<Waker>,
    /// The task in [`Sender::closed`], woken when the receiver closes or goes away.
    tx_waker: Option<Waker>,
    /// The sender has sent or was dropped: nothing more will come.
    tx_gone: bool,
    /// The receiver was closed or dropped: a send would be lost, so it fails.
    rx_closed: bool,
}

/// Sends the one value of a [`channel`].
///
/// ```
/// let (tx, mut rx) = evloop::sync::oneshot::channel();
/// assert!(!tx.is_closed());
/// tx.send(1).unwrap(); // consumes the sender: one value only
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Sender<T, F: Flavour> {
    /// The state both halves share.
    inner: F::Ptr<F::Cell<State<T>>>,
}

impl<T, F: Flavour> Sender<T, F> {
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
        let receiver = F::with(&self.inner, |state| {
            if state.rx_closed {
                return Err(value);
            }
            state.value = Some(value);
            state.tx_gone = true;
            Ok(state.rx_waker.take())
        })?;
        wake(receiver);
        Ok(())
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
        F::with(&self.inner, |state| state.rx_closed)
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
    ///
    /// In debug mode a task dump shows a task waiting here at the line that called `closed`.
    #[track_caller]
    pub fn closed(&mut self) -> impl Future<Output = ()> + '_ {
        let site = Location::caller();
        std::future::poll_fn(move |cx| {
            let poll = F::with(&self.inner, |state| {
                if state.rx_closed {
                    Poll::Ready(())
                } else {
                    register(&mut state.tx_waker, cx.waker());
                    Poll::Pending
                }
            });
            if poll.is_pending() {
                note_wait(WaitKind::OneshotClosed, Some(site), WaitDetail::None);
            }
            poll
        })
    }
}

impl<T, F: Flavour> Drop for Sender<T, F> {
    fn drop(&mut self) {
        let receiver = F::with(&self.inner, |state| {
            state.tx_gone = true;
            state.rx_waker.take()
        });
        wake(receiver);
    }
}

impl<T, F: Flavour> fmt::Debug for Sender<T, F> {
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
pub struct Receiver<T, F: Flavour> {
    /// The state both halves share.
    inner: F::Ptr<F::Cell<State<T>>>,
    /// The user's `channel()` call: the site of a wait for the value in task dumps.
    site: &'static Location<'static>,
}

impl<T, F: Flavour> Receiver<T, F> {
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
        self.take(None)
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
        let sender = F::with(&self.inner, |state| {
            state.rx_closed = true;
            state.tx_waker.take()
        });
        wake(sender);
    }

    /// Takes the value; if there is none yet and `cx` is given, registers its waker under
    /// the same borrow or lock, so no send can slip between the check and the registration.
    fn take(&mut self, cx: Option<&mut Context<'_>>) -> Result<T, TryRecvError> {
        F::with(&self.inner, |state| match state.value.take() {
            Some(value) => Ok(value),
            None if state.tx_gone => Err(TryRecvError::Closed),
            None => {
                if let Some(cx) = cx {
                    register(&mut state.rx_waker, cx.waker());
                }
                Err(TryRecvError::Empty)
            }
        })
    }
}

/// The flavour that crosses threads, [`evloop::sync::shared::oneshot`](crate::shared::oneshot).
impl<T> Receiver<T, Shared> {
    /// Blocks the calling thread until the value arrives. For threads without a loop (a
    /// `std::thread`, a `spawn_blocking` job); on a loop's thread it would stop the loop, so
    /// it panics there.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::shared::oneshot::channel();
    /// let waiter = std::thread::spawn(move || rx.blocking_recv()); // a thread without a loop
    /// evloop::run(async move { tx.send("from the loop").unwrap() });
    /// assert_eq!(waiter.join().unwrap(), Ok("from the loop"));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        park::block_on(self)
    }
}

impl<T, F: Flavour> Future for Receiver<T, F> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.take(Some(cx)) {
            Ok(value) => Poll::Ready(Ok(value)),
            Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError(()))),
            Err(TryRecvError::Empty) => {
                note_wait(WaitKind::OneshotReceive, Some(self.site), WaitDetail::None);
                Poll::Pending
            }
        }
    }
}

impl<T, F: Flavour> Drop for Receiver<T, F> {
    fn drop(&mut self) {
        // `close` and taking the value, in one borrow or lock.
        let (sender, value) = F::with(&self.inner, |state| {
            state.rx_closed = true;
            (state.tx_waker.take(), state.value.take())
        });
        wake(sender);
        // Dropped outside the borrow or lock: the value's own drop may use the channel.
        drop(value);
    }
}

impl<T, F: Flavour> fmt::Debug for Receiver<T, F> {
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
