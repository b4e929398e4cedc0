//! What can go wrong with a watch channel (also named at
//! [`evloop::sync::watch`](super), as in tokio's `watch::error`).

use std::fmt;

/// Every receiver is gone, so nobody would see the value: it comes back, and the channel
/// keeps its old value.
///
/// ```
/// use evloop::sync::watch;
/// let (tx, rx) = watch::channel("old");
/// drop(rx);
/// assert_eq!(tx.send("new").unwrap_err().0, "new");
/// assert_eq!(*tx.borrow(), "old");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch channel has no receivers")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// The [`Sender`](super::Sender) is gone: no new value will come.
///
/// ```
/// use evloop::sync::watch;
/// evloop::run(async {
///     let (tx, mut rx) = watch::channel(0);
///     drop(tx);
///     let err: watch::RecvError = rx.changed().await.unwrap_err();
///     assert!(!err.to_string().is_empty());
///     assert_eq!(*rx.borrow(), 0); // the last value stays readable
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError(pub(crate) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch channel's sender was dropped")
    }
}

impl std::error::Error for RecvError {}
