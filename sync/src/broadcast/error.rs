//! What can go wrong sending into or receiving from a broadcast channel (also named at
//! [`evloop::sync::broadcast`](super), as in tokio's `broadcast::error`).

use std::fmt;

pub use crate::send_error::SendError;

/// Why [`Receiver::recv`](super::Receiver::recv) returned no message.
///
/// ```
/// use evloop::sync::broadcast::{self, RecvError};
/// evloop::run(async {
///     let (tx, mut rx) = broadcast::channel(2);
///     for i in 0..5 {
///         tx.send(i).unwrap();
///     }
///     assert_eq!(rx.recv().await, Err(RecvError::Lagged(3))); // 0, 1, 2 were overwritten
///     assert_eq!(rx.recv().await, Ok(3));
///     assert_eq!(rx.recv().await, Ok(4));
///     drop(tx);
///     assert_eq!(rx.recv().await, Err(RecvError::Closed));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvError {
    /// Every sender is gone and this receiver has taken every message left.
    Closed,
    /// This receiver fell so far behind that this many messages were overwritten before it
    /// took them; it now stands at the oldest message still kept, which the next call
    /// returns.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("the broadcast channel is closed"),
            RecvError::Lagged(n) => write!(
                f,
                "the receiver lagged behind and missed {n} messages; raise the channel's \
                 capacity or receive faster"
            ),
        }
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no message.
///
/// ```
/// use evloop::sync::broadcast::{self, TryRecvError};
/// let (tx, mut rx) = broadcast::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
/// assert_eq!(rx.try_recv(), Ok(2));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// No message for this receiver yet; senders remain.
    Empty,
    /// Every sender is gone and this receiver has taken every message left.
    Closed,
    /// This many messages were overwritten before this receiver took them; see
    /// [`RecvError::Lagged`].
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("no message for this receiver yet"),
            TryRecvError::Closed => RecvError::Closed.fmt(f),
            TryRecvError::Lagged(n) => RecvError::Lagged(*n).fmt(f),
        }
    }
}

impl std::error::Error for TryRecvError {}
