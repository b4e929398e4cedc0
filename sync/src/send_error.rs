//! The one error of a send that nobody would receive, shared by every channel.

use std::fmt;

/// No receiver will take the value (an mpsc receiver was dropped or closed, a broadcast or
/// watch channel has no receiver left): the value comes back. [`mpsc`](crate::mpsc),
/// [`broadcast`](crate::broadcast) and [`watch`](crate::watch) all return this one type.
///
/// ```
/// use evloop::sync::{broadcast, mpsc};
/// let (tx, rx) = mpsc::unbounded_channel();
/// drop(rx);
/// let mpsc::SendError(value) = tx.send(String::from("undelivered")).unwrap_err();
/// assert_eq!(value, "undelivered");
///
/// let (tx, rx) = broadcast::channel(1);
/// drop(rx);
/// let err: broadcast::SendError<&str> = tx.send("unheard").unwrap_err();
/// assert_eq!(err.0, "unheard");
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
        f.write_str("no receiver takes values from the channel any more")
    }
}

impl<T> std::error::Error for SendError<T> {}
