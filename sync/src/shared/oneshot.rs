//! A one-shot channel whose halves may live on different threads: e.g. a `std::thread` or
//! a [`spawn_blocking`](../../../fn.spawn_blocking.html) job sends the result a loop task
//! awaits (like `loop.call_soon_threadsafe(fut.set_result, v)` in asyncio).
//!
//! The same API as the loop-local [`oneshot`](crate::oneshot), `Send` when `T` is, plus
//! [`Receiver::blocking_recv`] for a thread without a loop.
//!
//! ```
//! use evloop::sync::shared::oneshot;
//!
//! let (tx, rx) = oneshot::channel();
//! std::thread::spawn(move || tx.send("from a thread").unwrap());
//! assert_eq!(evloop::run(rx), Ok("from a thread"));
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

pub use crate::oneshot::{RecvError, TryRecvError};
use crate::waker_slot::register;

/// Makes a one-shot channel whose halves may be sent to other threads.
///
/// ```
/// let (tx, rx) = evloop::sync::shared::oneshot::channel();
/// let worker = std::thread::spawn(move || tx.send(2 + 2).unwrap());
/// assert_eq!(evloop::run(rx), Ok(4));
/// worker.join().unwrap();
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::new(State {
            value: None,
            rx_waker: None,
            tx_waker: None,
            tx_gone: false,
            rx_closed: false,
        }),
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
    state: Mutex<State<T>>,
}

/// The channel's state, under the lock.
struct State<T> {
    /// The value, from `send` until the receiver takes it.
    value: Option<T>,
    /// The receiving task, woken when the sender sends or goes away.
    rx_waker: Option<Waker>,
    /// The task in [`Sender::closed`], woken when the receiver closes or goes away.
    tx_waker: Option<Waker>,
    /// The sender has sent or was dropped.
    tx_gone: bool,
    /// The receiver was closed or dropped.
    rx_closed: bool,
}

impl<T> Inner<T> {
    /// Locks the state. Nothing panics while holding it, so poison carries no meaning.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sends the one value of a [`channel`], from any thread.
///
/// ```
/// fn assert_send<T: Send>(_: &T) {}
/// let (tx, rx) = evloop::sync::shared::oneshot::channel::<u32>();
/// assert_send(&tx); // may move to another thread
/// tx.send(1).unwrap();
/// assert_eq!(rx.blocking_recv(), Ok(1));
/// ```
pub struct Sender<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver. Never waits. Fails with the value back if the
    /// receiver was dropped or closed.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::shared::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send("nobody listens"), Err("nobody listens"));
    /// ```
    pub fn send(self, value: T) -> Result<(), T> {
        let waker = {
            let mut state = self.inner.lock();
            if state.rx_closed {
                return Err(value);
            }
            state.value = Some(value);
            state.tx_gone = true;
            state.rx_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Whether the receiver was dropped or closed, so a send would fail.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::shared::oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.lock().rx_closed
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// ```
    /// let (mut tx, rx) = evloop::sync::shared::oneshot::channel::<u8>();
    /// let dropper = std::thread::spawn(move || drop(rx)); // the receiver gives up elsewhere
    /// evloop::run(async move {
    ///     tx.closed().await;
    ///     assert!(tx.is_closed());
    /// });
    /// dropper.join().unwrap();
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| {
            let mut state = self.inner.lock();
            if state.rx_closed {
                Poll::Ready(())
            } else {
                register(&mut state.tx_waker, cx.waker());
                Poll::Pending
            }
        })
        .await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.inner.lock();
            state.tx_gone = true;
            state.rx_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Receives the one value of a [`channel`]; await it, or call
/// [`blocking_recv`](Receiver::blocking_recv) on a thread without a loop.
///
/// ```
/// evloop::run(async {
///     let (tx, rx) = evloop::sync::shared::oneshot::channel();
///     evloop::spawn_blocking(move || tx.send("computed").unwrap());
///     assert_eq!(rx.await, Ok("computed"));
/// });
/// ```
pub struct Receiver<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent; never waits.
    ///
    /// ```
    /// use evloop::sync::shared::oneshot::{self, TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.inner.lock();
        match state.value.take() {
            Some(value) => Ok(value),
            None if state.tx_gone => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Blocks the calling thread until the value arrives. For threads without a loop (a
    /// `std::thread`, a `spawn_blocking` job); on a loop's thread it would stop the loop.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::shared::oneshot::channel();
    /// let waiter = std::thread::spawn(move || rx.blocking_recv()); // a thread without a loop
    /// evloop::run(async move { tx.send("from the loop").unwrap() });
    /// assert_eq!(waiter.join().unwrap(), Ok("from the loop"));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        super::park::block_on(self)
    }

    /// Refuses the value from now on: a later `send` fails and gives the value back.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::shared::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let waker = {
            let mut state = self.inner.lock();
            state.rx_closed = true;
            state.tx_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.inner.lock();
        if let Some(value) = state.value.take() {
            Poll::Ready(Ok(value))
        } else if state.tx_gone {
            Poll::Ready(Err(RecvError(())))
        } else {
            register(&mut state.rx_waker, cx.waker());
            Poll::Pending
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        let value = self.inner.lock().value.take();
        drop(value);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
