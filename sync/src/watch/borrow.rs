//! [`Ref`]: a borrow of a watch channel's value.

use std::cell;
use std::fmt;
use std::ops::Deref;

/// A borrow of the value in a watch channel, from [`Sender::borrow`](super::Sender::borrow),
/// [`Receiver::borrow`](super::Receiver::borrow) or
/// [`Receiver::borrow_and_update`](super::Receiver::borrow_and_update).
///
/// Keep it short: a send while it is alive panics (on one loop that can only mean it is
/// held across an `.await`). Clone the value out if it must outlive the next `.await`.
///
/// ```
/// use evloop::sync::watch;
/// let (tx, rx) = watch::channel(String::from("v1"));
/// let current: String = rx.borrow().clone(); // clone out, then let the Ref go
/// tx.send(String::from("v2")).unwrap();
/// assert_eq!(current, "v1");
/// assert_eq!(*rx.borrow(), "v2");
/// ```
pub struct Ref<'a, T> {
    /// The borrow of the value.
    value: cell::Ref<'a, T>,
    /// Whether the receiver had not seen this version when it borrowed it.
    has_changed: bool,
}

impl<'a, T> Ref<'a, T> {
    /// A borrow of `value`, which the borrowing receiver had (`true`) or had not seen.
    pub(super) fn new(value: cell::Ref<'a, T>, has_changed: bool) -> Ref<'a, T> {
        Ref { value, has_changed }
    }

    /// Whether this value is one the receiver had not seen when it borrowed it (always
    /// `false` for the sender's own borrow).
    ///
    /// ```
    /// use evloop::sync::watch;
    /// let (tx, mut rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert!(rx.borrow_and_update().has_changed()); // 2 was news...
    /// assert!(!rx.borrow().has_changed()); // ...and is seen now
    /// ```
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
