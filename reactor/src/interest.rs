//! What a registration cares about: [`Interest`] (a set of directions) and [`Direction`].

use std::fmt;
use std::ops::BitOr;

/// One direction of I/O on a file descriptor.
///
/// Each [`Registration`](crate::Registration) tracks readiness and keeps one waker per
/// direction, so a task reading and another writing the same socket do not steal each
/// other's wake-ups.
///
/// ```
/// use std::os::fd::AsRawFd;
/// use std::os::unix::net::UnixStream;
/// use std::task::{Context, Poll, Waker};
/// use evloop_reactor::{Direction, Interest, Reactor, Registration};
/// # use std::{sync::Arc, task::Wake};
/// # struct Noop;
/// # impl Wake for Noop { fn wake(self: Arc<Self>) {} }
/// # let waker = Waker::from(Arc::new(Noop));
///
/// let reactor = Reactor::new()?;
/// let (sock, _peer) = UnixStream::pair()?;
/// sock.set_nonblocking(true)?;
/// let reg = Registration::with_reactor(&reactor, sock.as_raw_fd(), Interest::BOTH)?;
/// reactor.wait(Some(std::time::Duration::ZERO))?; // a fresh socket: writable, not readable
/// let mut cx = Context::from_waker(&waker);
/// assert!(reg.poll_ready(Direction::Write, &mut cx).is_ready());
/// assert!(reg.poll_ready(Direction::Read, &mut cx).is_pending());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Reading (or accepting): ready on data, peer shutdown, hang-up or error.
    Read,
    /// Writing (or finishing a connect): ready on buffer space, hang-up or error.
    Write,
}

impl Direction {
    /// Position of this direction in per-direction arrays.
    pub(crate) const fn index(self) -> usize {
        match self {
            Direction::Read => 0,
            Direction::Write => 1,
        }
    }
}

/// The directions a registration intends to poll: [`READABLE`](Interest::READABLE),
/// [`WRITABLE`](Interest::WRITABLE) or [`BOTH`](Interest::BOTH) (also spelled
/// `Interest::READABLE | Interest::WRITABLE`).
///
/// The epoll registration always covers both directions (edge-triggered, that costs
/// nothing; poll and select ask for a direction only while a task waits on it); the
/// interest documents intent and, in debug builds, polling a direction outside it
/// panics.
///
/// ```
/// use evloop_reactor::{Direction, Interest};
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert_eq!(both, Interest::BOTH);
/// assert!(both.contains(Direction::Write));
/// assert!(!Interest::READABLE.contains(Direction::Write));
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct Interest(u8);

impl Interest {
    /// Bit for [`Direction::Read`].
    const READ_BIT: u8 = 1;
    /// Bit for [`Direction::Write`].
    const WRITE_BIT: u8 = 2;

    /// Interest in reading.
    ///
    /// ```
    /// use evloop_reactor::Interest;
    /// assert!(Interest::READABLE.is_readable());
    /// assert!(!Interest::READABLE.is_writable());
    /// ```
    pub const READABLE: Interest = Interest(Self::READ_BIT);
    /// Interest in writing.
    ///
    /// ```
    /// use evloop_reactor::Interest;
    /// assert!(Interest::WRITABLE.is_writable());
    /// assert!(!Interest::WRITABLE.is_readable());
    /// ```
    pub const WRITABLE: Interest = Interest(Self::WRITE_BIT);
    /// Interest in both directions.
    ///
    /// ```
    /// use evloop_reactor::Interest;
    /// assert!(Interest::BOTH.is_readable() && Interest::BOTH.is_writable());
    /// assert_eq!(Interest::BOTH, Interest::READABLE | Interest::WRITABLE);
    /// ```
    pub const BOTH: Interest = Interest(Self::READ_BIT | Self::WRITE_BIT);

    /// Whether reading is part of this interest.
    ///
    /// ```
    /// use evloop_reactor::Interest;
    /// const LISTENER: Interest = Interest::READABLE; // accept() waits for readability
    /// assert!(LISTENER.is_readable());
    /// assert!(Interest::BOTH.is_readable());
    /// assert!(!Interest::WRITABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & Self::READ_BIT != 0
    }

    /// Whether writing is part of this interest.
    ///
    /// ```
    /// use evloop_reactor::Interest;
    /// assert!(Interest::WRITABLE.is_writable());
    /// assert!(Interest::BOTH.is_writable());
    /// assert!(!Interest::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & Self::WRITE_BIT != 0
    }

    /// Whether `dir` is part of this interest.
    ///
    /// ```
    /// use evloop_reactor::{Direction, Interest};
    /// assert!(Interest::READABLE.contains(Direction::Read));
    /// assert!(!Interest::READABLE.contains(Direction::Write));
    /// assert!(Interest::BOTH.contains(Direction::Write));
    /// ```
    pub const fn contains(self, dir: Direction) -> bool {
        match dir {
            Direction::Read => self.is_readable(),
            Direction::Write => self.is_writable(),
        }
    }
}

impl BitOr for Interest {
    type Output = Interest;

    fn bitor(self, rhs: Interest) -> Interest {
        Interest(self.0 | rhs.0)
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(empty)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert!(Interest::READABLE.is_readable() && !Interest::READABLE.is_writable());
        assert!(Interest::WRITABLE.is_writable() && !Interest::WRITABLE.is_readable());
        assert_eq!(Interest::READABLE | Interest::WRITABLE, Interest::BOTH);
        assert_eq!(format!("{:?}", Interest::BOTH), "READABLE | WRITABLE");
        assert_eq!(Direction::Read.index(), 0);
        assert_eq!(Direction::Write.index(), 1);
    }
}
