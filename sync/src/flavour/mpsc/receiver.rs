//! The [`Receiver`] of both kinds of channel and its [`Recv`] future.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use evloop_reactor::wait_site::{WaitDetail, WaitKind};

use super::chan::Chan;
use super::error::TryRecvError;
use crate::flavour::{self, Flavour, Shared};
use crate::park;
use crate::wait_site::note_wait;
use crate::waker_slot::{register, wake};

/// Takes the messages of a [`channel`](super::channel) or
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
pub struct Receiver<T, F: Flavour> {
    /// The channel.
    chan: F::Ptr<Chan<T, F>>,
    /// Unbounded channels: messages taken from the shared buffer in one batch, so the
    /// receiver enters the cell once per batch instead of once per message.
    batch: VecDeque<T>,
}

impl<T, F: Flavour> Receiver<T, F> {
    /// The receiving half of `chan`.
    pub(super) fn new(chan: F::Ptr<Chan<T, F>>) -> Receiver<T, F> {
        Receiver {
            chan,
            batch: VecDeque::new(),
        }
    }

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
    #[track_caller]
    pub fn recv(&mut self) -> Recv<'_, T, F> {
        Recv {
            rx: self,
            site: Location::caller(),
        }
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
        self.poll_recv_at(cx, None)
    }

    /// `poll_recv`, noting in debug mode a wait made at `site`.
    #[inline]
    fn poll_recv_at(
        &mut self,
        cx: &mut Context<'_>,
        site: Option<&'static Location<'static>>,
    ) -> Poll<Option<T>> {
        match self.take(Some(cx)) {
            Ok(value) => Poll::Ready(Some(value)),
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => {
                note_wait(WaitKind::ChannelReceive, site, WaitDetail::None);
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
        self.take(None)
    }

    /// Takes the next message; if there is none and `cx` is given, registers its waker
    /// under the same borrow or lock, so no send can slip between the check and the
    /// registration.
    fn take(&mut self, cx: Option<&mut Context<'_>>) -> Result<T, TryRecvError> {
        if F::BATCH_RECEIVES {
            if let Some(value) = self.batch.pop_front() {
                return Ok(value);
            }
        }
        let batch = &mut self.batch;
        let bounded = self.chan.bounded;
        let (next, sender) = self.chan.with(|state| {
            let next = if bounded || !F::BATCH_RECEIVES {
                state.buffer.pop_front()
            } else {
                std::mem::swap(&mut state.buffer, batch);
                batch.pop_front()
            };
            match next {
                // The slot is free: every waiting sender wants one, so at most one fits.
                Some(value) if bounded => {
                    state.room.release(1);
                    (Ok(value), state.room.grant_next())
                }
                Some(value) => (Ok(value), None),
                None if state.is_disconnected() => (Err(TryRecvError::Disconnected), None),
                None => {
                    if let Some(cx) = cx {
                        register(&mut state.rx_waker, cx.waker());
                    }
                    (Err(TryRecvError::Empty), None)
                }
            }
        });
        wake(sender);
        next
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
        let was_closed = self
            .chan
            .with(|state| std::mem::replace(&mut state.rx_closed, true));
        if !was_closed {
            flavour::close_core(&*self.chan);
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
        self.batch.len() + self.chan.with(|state| state.buffer.len())
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

/// The flavour that crosses threads, [`evloop::sync::shared::mpsc`](crate::shared::mpsc).
impl<T> Receiver<T, Shared> {
    /// Blocks the calling thread until the next message (or the end). For threads without
    /// a loop; on a loop's thread it would stop the loop, so it panics there.
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
}

// Messages are only moved, never pinned: a receiver may move whatever `T` is.
impl<T, F: Flavour> Unpin for Receiver<T, F> {}

impl<T, F: Flavour> Drop for Receiver<T, F> {
    fn drop(&mut self) {
        self.close();
        // Drop the messages outside the cell: a message's own drop may use the channel.
        let rest = self.chan.with(|state| std::mem::take(&mut state.buffer));
        drop(rest);
    }
}

impl<T, F: Flavour> fmt::Debug for Receiver<T, F> {
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
pub struct Recv<'a, T, F: Flavour> {
    /// The receiver to take the next message from.
    rx: &'a mut Receiver<T, F>,
    /// The user's `recv()` call: the wait's site in task dumps.
    site: &'static Location<'static>,
}

impl<T, F: Flavour> Future for Recv<'_, T, F> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let site = self.site;
        self.rx.poll_recv_at(cx, Some(site))
    }
}

impl<T, F: Flavour> fmt::Debug for Recv<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
