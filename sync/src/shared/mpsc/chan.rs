//! The state a `Send` channel's halves share, behind one lock, and its [`Receiver`].

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::mpsc::TryRecvError;
use crate::sem_core::{CoreCell, SemCore};
use crate::shared::park;
use crate::waker_slot::register;

/// One channel.
pub(super) struct Chan<T> {
    /// Everything that changes, under one lock.
    state: Mutex<State<T>>,
    /// Whether `State::room` limits the buffer (a bounded channel).
    pub(super) bounded: bool,
}

/// A channel's changing state.
pub(super) struct State<T> {
    /// Messages sent and not yet received, oldest first.
    pub(super) buffer: VecDeque<T>,
    /// The receiving task, woken by the next send or by the last sender leaving.
    pub(super) rx_waker: Option<Waker>,
    /// Live senders; at 0 the receiver gets `None` once the buffer is empty.
    pub(super) senders: usize,
    /// The receiver closed or was dropped: sends fail.
    pub(super) rx_closed: bool,
    /// Bounded channels: one permit per free buffer slot, and the FIFO of senders waiting
    /// for one (unused when unbounded).
    pub(super) room: SemCore,
}

impl<T> Chan<T> {
    /// A channel with one sender; `capacity` is `None` for an unbounded one.
    pub(super) fn new(capacity: Option<usize>) -> Arc<Chan<T>> {
        Arc::new(Chan {
            state: Mutex::new(State {
                buffer: VecDeque::new(),
                rx_waker: None,
                senders: 1,
                rx_closed: false,
                room: SemCore::new(capacity.unwrap_or(0)),
            }),
            bounded: capacity.is_some(),
        })
    }

    /// Locks the state. No code of ours panics while holding it (message drops happen
    /// outside), so poison carries no meaning.
    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one more sender.
    pub(super) fn add_sender(&self) {
        self.lock().senders += 1;
    }

    /// Counts one sender less; the last one wakes the receiver so it sees the end.
    pub(super) fn drop_sender(&self) {
        let waker = {
            let mut state = self.lock();
            state.senders -= 1;
            if state.senders == 0 {
                state.rx_waker.take()
            } else {
                None
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Lets the semaphore helpers lock the channel to reach its `room`.
impl<T> CoreCell for Chan<T> {
    fn with<R>(&self, f: impl FnOnce(&mut SemCore) -> R) -> R {
        f(&mut self.lock().room)
    }
}

/// Takes the messages of a `Send` [`channel`](super::channel) or
/// [`unbounded_channel`](super::unbounded_channel), in the order they were sent, on any
/// thread: await [`recv`](Receiver::recv) in a loop task, or call
/// [`blocking_recv`](Receiver::blocking_recv) on a thread without a loop.
///
/// ```
/// use evloop::sync::shared::mpsc;
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
    pub(super) chan: Arc<Chan<T>>,
    /// Unbounded channels: messages taken from the shared buffer in one batch, so the
    /// receiver locks once per batch instead of once per message.
    pub(super) batch: VecDeque<T>,
}

impl<T> Receiver<T> {
    /// Waits for the next message; `None` when all senders are gone and nothing is left.
    /// Cancel-safe: dropping the future before it completes loses no message.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc;
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

    /// Blocks the calling thread until the next message (or the end). For threads without
    /// a loop; on a loop's thread it would stop the loop.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc;
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// let consumer = std::thread::spawn(move || {
    ///     let mut sum = 0;
    ///     while let Some(n) = rx.blocking_recv() { // a plain thread: it blocks
    ///         sum += n;
    ///     }
    ///     sum
    /// });
    /// evloop::run(async move {
    ///     for n in 1..=4 {
    ///         tx.send(n).unwrap();
    ///     }
    /// }); // tx dropped: the consumer sees the end
    /// assert_eq!(consumer.join().unwrap(), 10);
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        park::block_on(self.recv())
    }

    /// The poll behind [`recv`](Receiver::recv), for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// evloop::run(async {
    ///     let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel();
    ///     tx.send(5).unwrap();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv(cx)).await, Some(5));
    /// });
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.take(Some(cx)) {
            Ok(value) => Poll::Ready(Some(value)),
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => Poll::Pending,
        }
    }

    /// Takes the next message if one is buffered; never waits.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc::{self, TryRecvError};
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty)); // `queue.get_nowait()` raising QueueEmpty
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.take(None)
    }

    /// Takes the next message; if there is none and `cx` is given, registers its waker
    /// under the same lock, so no send can slip between the check and the registration.
    fn take(&mut self, cx: Option<&mut Context<'_>>) -> Result<T, TryRecvError> {
        if let Some(value) = self.batch.pop_front() {
            return Ok(value);
        }
        let mut state = self.chan.lock();
        let next = if self.chan.bounded {
            state.buffer.pop_front()
        } else {
            std::mem::swap(&mut state.buffer, &mut self.batch);
            self.batch.pop_front()
        };
        match next {
            Some(value) => {
                if self.chan.bounded {
                    state.room.release(1);
                    // Every waiting sender wants one slot: at most one fits now.
                    let sender = state.room.grant_next();
                    drop(state);
                    if let Some(sender) = sender {
                        sender.wake();
                    }
                }
                Ok(value)
            }
            None if state.senders == 0 || state.rx_closed => Err(TryRecvError::Disconnected),
            None => {
                if let Some(cx) = cx {
                    register(&mut state.rx_waker, cx.waker());
                }
                Err(TryRecvError::Empty)
            }
        }
    }

    /// Closes the channel without dropping the receiver: sends fail from now on (senders
    /// waiting for room get their value back), and the buffered messages can still be
    /// received, after which `recv` returns `None`.
    ///
    /// ```
    /// use evloop::sync::shared::mpsc;
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
        {
            let mut state = self.chan.lock();
            if state.rx_closed {
                return;
            }
            state.rx_closed = true;
        }
        crate::sem_core::close(&*self.chan);
    }

    /// Messages buffered now.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::shared::mpsc::unbounded_channel();
    /// tx.send('a').unwrap();
    /// tx.send('b').unwrap();
    /// assert_eq!(rx.len(), 2); // `queue.qsize()`
    /// ```
    pub fn len(&self) -> usize {
        self.batch.len() + self.chan.lock().buffer.len()
    }

    /// Whether no message is buffered now.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::shared::mpsc::unbounded_channel();
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
        // Drop the messages outside the lock: a message's own drop may use the channel.
        let rest = std::mem::take(&mut self.chan.lock().buffer);
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
/// use evloop::sync::shared::mpsc;
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
