//! The [`UnboundedSender`], which never waits.

use std::fmt;

use super::chan::Chan;
use super::error::SendError;
use crate::flavour::Flavour;
use crate::waker_slot::wake;

/// Sends into an [`unbounded_channel`](super::unbounded_channel); clone it for more
/// producers. Sending never waits: the buffer grows as needed, so it is a plain call from
/// a task or (shared) from any thread.
///
/// ```
/// let (tx, mut rx) = evloop::sync::mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap(); // never waits: the buffer grows
/// }
/// assert_eq!(rx.len(), 1000);
/// ```
pub struct UnboundedSender<T, F: Flavour> {
    /// The channel.
    chan: F::Ptr<Chan<T, F>>,
}

impl<T, F: Flavour> UnboundedSender<T, F> {
    /// The first sender of `chan`, which counts it already.
    pub(super) fn new(chan: F::Ptr<Chan<T, F>>) -> UnboundedSender<T, F> {
        UnboundedSender { chan }
    }

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
        let receiver = self.chan.with(|state| {
            if state.rx_closed {
                return Err(SendError(value));
            }
            Ok(state.push(value))
        })?;
        wake(receiver);
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
        self.chan.with(|state| state.rx_closed)
    }
}

impl<T, F: Flavour> Clone for UnboundedSender<T, F> {
    fn clone(&self) -> UnboundedSender<T, F> {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T, F: Flavour> Drop for UnboundedSender<T, F> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T, F: Flavour> fmt::Debug for UnboundedSender<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}
