//! What can go wrong with a watch channel (also named at
//! [`evloop::sync::watch`](super), as in tokio's `watch::error`).

use std::fmt;

pub use crate::send_error::SendError;

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
