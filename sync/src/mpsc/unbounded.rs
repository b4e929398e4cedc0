//! The [`UnboundedSender`] of a loop-local channel, which never waits.

use std::fmt;
use std::rc::Rc;

use super::chan::Chan;
use super::error::SendError;

/// Sends into a loop-local [`unbounded_channel`](super::unbounded_channel); clone it for
/// more producers. Sending never waits: the buffer grows as needed.
///
/// ```
/// let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap(); // never waits: the buffer grows
/// }
/// assert_eq!(rx.len(), 1000);
/// ```
pub struct UnboundedSender<T> {
    pub(super) chan: Rc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` and wakes the receiver. Fails with the value back if the receiver is
    /// gone.
    ///
    /// ```
    /// let (tx, rx) = evloop::sync::mpsc::unbounded_channel();
    /// assert!(tx.send("kept").is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send("returned").unwrap_err().0, "returned");
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.chan.rx_closed.get() {
            return Err(SendError(value));
        }
        self.chan.push(value);
        Ok(())
    }

    /// Whether the receiver is gone, so sends fail.
    ///
    /// ```
    /// let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.rx_closed.get()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> UnboundedSender<T> {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}
