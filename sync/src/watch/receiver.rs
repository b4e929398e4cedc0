//! The [`Receiver`] of a watch channel and its [`Changed`] future.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::borrow::Ref;
use super::error::RecvError;
use evloop_reactor::wait_site::{WaitDetail, WaitKind};

use super::shared::Shared;
use crate::wait_site::note_wait;
use crate::waiters::Key;

/// Watches the latest value of a watch [`channel`](super::channel): read it with
/// [`borrow`](Receiver::borrow), wait for the next one with
/// [`changed`](Receiver::changed). Clone it for more watchers; a clone has seen what the
/// original has seen.
///
/// ```
/// use evloop::sync::watch;
/// evloop::run(async {
///     let (tx, mut rx) = watch::channel(0);
///     let watcher = evloop::spawn(async move {
///         let mut seen = Vec::new();
///         while rx.changed().await.is_ok() {
///             seen.push(*rx.borrow_and_update());
///         }
///         seen // the sender is gone
///     });
///     for v in 1..=3 {
///         tx.send(v).unwrap();
///         evloop::yield_now().await; // let the watcher see each one
///     }
///     drop(tx);
///     assert_eq!(watcher.await.unwrap(), [1, 2, 3]);
/// });
/// ```
pub struct Receiver<T> {
    /// The channel.
    shared: Rc<Shared<T>>,
    /// The version this receiver has seen.
    seen: u64,
}

impl<T> Receiver<T> {
    /// The first receiver of `shared`, which counts it already and has seen its value.
    pub(super) fn first(shared: Rc<Shared<T>>) -> Receiver<T> {
        Receiver { shared, seen: 0 }
    }

    /// A new receiver of `shared` that has seen its current value.
    pub(super) fn subscribe(shared: Rc<Shared<T>>) -> Receiver<T> {
        let seen = {
            let mut state = shared.state();
            state.receivers += 1;
            state.version
        };
        Receiver { shared, seen }
    }

    /// Borrows the latest value without marking it seen. Keep the [`Ref`] short: see its
    /// docs.
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, rx) = watch::channel("a");
    /// tx.send("b").unwrap();
    /// assert_eq!(*rx.borrow(), "b");
    /// assert_eq!(rx.has_changed(), Ok(true)); // still unseen
    /// ```
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        let has_changed = self.shared.state().version != self.seen;
        Ref::new(self.shared.read(), has_changed)
    }

    /// Borrows the latest value and marks it seen, so [`changed`](Receiver::changed) waits
    /// for the one after it.
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, mut rx) = watch::channel("a");
    /// tx.send("b").unwrap();
    /// assert_eq!(*rx.borrow_and_update(), "b");
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    #[track_caller]
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let version = self.shared.state().version;
        let has_changed = version != self.seen;
        self.seen = version;
        Ref::new(self.shared.read(), has_changed)
    }

    /// Whether a value this receiver has not seen is waiting. Fails once the sender is
    /// gone, as tokio's does (the last value stays readable with
    /// [`borrow`](Receiver::borrow)).
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, mut rx) = watch::channel(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state();
        if state.closed {
            return Err(RecvError(()));
        }
        Ok(state.version != self.seen)
    }

    /// Waits for a value this receiver has not seen and marks it seen (read it with
    /// [`borrow`](Receiver::borrow)). Returns at once if one is already waiting. Fails
    /// when the sender is gone and every value has been seen.
    ///
    /// Several sends before the receiver runs count as one change: a watch channel keeps
    /// only the latest value. Cancel-safe: dropping the future marks nothing seen.
    ///
    /// ```
    /// use evloop::sync::watch;
    /// evloop::run(async {
    ///     let (tx, mut rx) = watch::channel("starting");
    ///     evloop::spawn(async move {
    ///         tx.send("ready").unwrap();
    ///     });
    ///     rx.changed().await.unwrap(); // like `await event.wait()`, with a value
    ///     assert_eq!(*rx.borrow(), "ready");
    ///     assert!(rx.changed().await.is_err()); // the sender is gone
    /// });
    /// ```
    #[track_caller]
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            rx: self,
            key: None,
            site: Location::caller(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Receiver<T> {
        self.shared.state().receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.state().receivers -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

/// The future of [`Receiver::changed`].
///
/// ```
/// use std::time::Duration;
/// use evloop::sync::watch;
/// evloop::run(async {
///     let (tx, mut rx) = watch::channel(0);
///     let waiting: watch::Changed<'_, i32> = rx.changed();
///     // Dropped by the timeout: it marks nothing seen.
///     assert!(evloop::time::timeout(Duration::from_millis(1), waiting).await.is_err());
///     tx.send(1).unwrap();
///     assert!(rx.changed().await.is_ok());
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Changed<'a, T> {
    /// The receiver waiting for a value it has not seen.
    rx: &'a mut Receiver<T>,
    /// Our place among the waiting receivers, while waiting.
    key: Option<Key>,
    /// The user's `changed()` call: the wait's site in task dumps.
    site: &'static Location<'static>,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let poll =
            this.rx
                .shared
                .state()
                .poll_changed(&mut this.rx.seen, &mut this.key, cx.waker());
        if poll.is_pending() {
            note_wait(WaitKind::WatchChanged, Some(this.site), WaitDetail::None);
        }
        poll
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.rx.shared.state().cancel(key);
        }
    }
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changed")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}
