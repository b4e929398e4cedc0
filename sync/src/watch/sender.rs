//! The [`Sender`] of a watch channel.

use std::fmt;
use std::rc::Rc;

use super::borrow::Ref;
use super::error::SendError;
use super::receiver::Receiver;
use super::shared::Shared;

/// Publishes the latest value of a watch [`channel`](super::channel): each send replaces
/// the value and wakes every receiver waiting in [`changed`](super::Receiver::changed).
///
/// ```
/// use evloop::sync::watch;
/// evloop::run(async {
///     let (config, mut rx) = watch::channel("v1");
///     let reloader = evloop::spawn(async move {
///         rx.changed().await.unwrap();
///         *rx.borrow_and_update()
///     });
///     config.send("v2").unwrap();
///     assert_eq!(reloader.await.unwrap(), "v2");
/// });
/// ```
pub struct Sender<T> {
    /// The channel.
    shared: Rc<Shared<T>>,
}

impl<T> Sender<T> {
    /// The sender of `shared`.
    pub(super) fn new(shared: Rc<Shared<T>>) -> Sender<T> {
        Sender { shared }
    }

    /// Replaces the value and tells every receiver. Fails with the value back, leaving the
    /// old one in place, when there is no receiver (use
    /// [`send_replace`](Sender::send_replace) to store it anyway).
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, rx) = watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2); // nobody watches: refused
    /// ```
    ///
    /// # Panics
    /// While a [`Ref`] of this channel is alive (see [`Ref`]).
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.state().receivers == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value, whether or not anyone watches, tells every receiver, and
    /// returns the old value.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::watch::channel(1);
    /// drop(rx);
    /// assert_eq!(tx.send_replace(2), 1); // stored even with no receiver
    /// assert_eq!(*tx.borrow(), 2);
    /// ```
    ///
    /// # Panics
    /// While a [`Ref`] of this channel is alive (see [`Ref`]).
    #[track_caller]
    pub fn send_replace(&self, value: T) -> T {
        let old = std::mem::replace(&mut *self.shared.write(), value);
        self.shared.publish();
        old
    }

    /// Changes the value in place and tells every receiver, whether or not anyone watches.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::watch::channel(vec![1]);
    /// tx.send_modify(|list| list.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    ///
    /// # Panics
    /// While a [`Ref`] of this channel is alive (see [`Ref`]), or if `modify` borrows the
    /// channel's value itself.
    #[track_caller]
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Lets `modify` change the value in place, and tells the receivers only if it returns
    /// `true` (it changed something they care about). Returns what `modify` returned.
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, mut rx) = watch::channel(5);
    /// let raise_to_10 = |v: &mut i32| if *v < 10 { *v = 10; true } else { false };
    /// assert!(tx.send_if_modified(raise_to_10));
    /// assert!(rx.has_changed().unwrap());
    /// rx.borrow_and_update();
    /// assert!(!tx.send_if_modified(raise_to_10)); // already 10: receivers are not told
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    ///
    /// # Panics
    /// While a [`Ref`] of this channel is alive (see [`Ref`]), or if `modify` borrows the
    /// channel's value itself.
    #[track_caller]
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let modified = modify(&mut self.shared.write());
        if modified {
            self.shared.publish();
        }
        modified
    }

    /// Borrows the current value. Keep the [`Ref`] short: see its docs.
    ///
    /// ```
    /// let (tx, _rx) = evloop::sync::watch::channel("idle");
    /// assert_eq!(*tx.borrow(), "idle");
    /// ```
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref::new(self.shared.read(), false)
    }

    /// A new receiver, which has seen the current value: its `changed` waits for the next
    /// send.
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, _rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// let late = tx.subscribe();
    /// assert_eq!(late.has_changed(), Ok(false)); // 2 counts as seen
    /// assert_eq!(*late.borrow(), 2);
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver::subscribe(self.shared.clone())
    }

    /// How many receivers are alive.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::watch::channel(());
    /// let rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop((rx, rx2));
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state().receivers
    }

    /// Whether every receiver is gone, so [`send`](Sender::send) would fail.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::watch::channel(0);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.state().closed = true;
        self.shared.wake_waiters(); // their `changed` fails unless a change is unseen
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish_non_exhaustive()
    }
}
