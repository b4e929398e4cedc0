//! [`Conn`]: the completion-side state of one TCP stream on io_uring: the receive in
//! flight and the data it brought, the send in flight and the bytes queued behind it,
//! and the wakers of the reader and the writer.
//!
//! Everything the kernel may touch while an operation is in flight lives here, in the
//! backend's slab, not in the future that started the operation: the fallback receive
//! buffer, the buffer a send reads from. A `Conn` leaves the slab only when none of its
//! operations is in flight, so a future dropped mid-operation (or a stream dropped with
//! a send queued) never leaves the kernel pointing at freed memory.

use std::os::fd::RawFd;
use std::task::Waker;

/// One operation slot (receive or send) of a connection.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct OpSlot {
    /// Submitted (or pushed, to be submitted at the next `io_uring_enter`) and not yet
    /// completed.
    pub(crate) in_flight: bool,
    /// The ring's `io_uring_enter` count when it was pushed: while no enter has
    /// happened since, the kernel has not seen the fd number yet.
    pub(crate) pushed_at: u64,
}

/// Received bytes not yet read.
#[derive(Debug, Default)]
pub(crate) enum Received {
    /// Nothing.
    #[default]
    Nothing,
    /// Bytes `start..end` of provided buffer `bid` (ours until given back).
    Provided {
        /// The buffer's id in the ring.
        bid: u16,
        /// First unread byte.
        start: usize,
        /// End of the data.
        end: usize,
    },
    /// Bytes `start..end` of the connection's fallback buffer (a receive made when the
    /// ring had no buffer left).
    Fallback {
        /// First unread byte.
        start: usize,
        /// End of the data.
        end: usize,
    },
}

/// The completion-side state of one stream socket.
#[derive(Debug)]
pub(crate) struct Conn {
    /// The fd its operations name: the stream's own, or, after the stream was dropped
    /// with data still to send, a duplicate this `Conn` owns (see `owns_fd`).
    pub(crate) fd: RawFd,
    /// `fd` is a duplicate, closed when the `Conn` leaves the slab.
    pub(crate) owns_fd: bool,
    /// The receive in flight.
    pub(crate) recv: OpSlot,
    /// What the last receive brought, not yet read.
    pub(crate) received: Received,
    /// The buffer of the fallback receive (allocated when the ring ran dry twice in a
    /// row for this stream, freed once read; the kernel writes it while such a receive
    /// is in flight).
    pub(crate) fallback: Vec<u8>,
    /// The last receive found the ring dry (`ENOBUFS`): the next one that does too
    /// falls back to a buffer of the stream's own.
    pub(crate) starved: bool,
    /// A send failed with `ECONNRESET` (or ended short, which with `MSG_WAITALL` means
    /// an error the kernel reported as the count sent): the kernel reports the reset
    /// once per socket, so a receive that then finds the end of the stream reports the
    /// reset instead, as the read would have on epoll had it come first.
    pub(crate) reset: bool,
    /// The last receive said more data waits in the socket: the next one need not wait
    /// for readiness first.
    pub(crate) more_waiting: bool,
    /// The peer shut its side down (a receive returned 0): every read now returns 0.
    pub(crate) eof: bool,
    /// The error a receive completed with, reported by the next read.
    pub(crate) read_error: Option<i32>,
    /// The task waiting to read.
    pub(crate) reader: Option<Waker>,
    /// The send in flight.
    pub(crate) send: OpSlot,
    /// The bytes the send in flight reads from (the kernel reads them while it is).
    pub(crate) sending: Vec<u8>,
    /// How many of `sending` the kernel has confirmed sent.
    pub(crate) sent: usize,
    /// Bytes accepted by `poll_write` after `sending`, sent when it completes.
    pub(crate) queued: Vec<u8>,
    /// The error a send completed with, reported by the next write.
    pub(crate) write_error: Option<i32>,
    /// The task waiting for room to write (or for the sends to drain, in a flush).
    pub(crate) writer: Option<Waker>,
    /// `shutdown(Write)` was asked while bytes were still to send: done once they are.
    pub(crate) shutdown_pending: bool,
    /// `shutdown(Write)` was asked: writes fail with `EPIPE` at once, as `send` does.
    pub(crate) write_shut: bool,
    /// The stream is gone; the `Conn` stays only until its operations complete.
    pub(crate) dropped: bool,
}

impl Conn {
    /// A connection on `fd` with nothing in flight.
    pub(crate) fn new(fd: RawFd) -> Conn {
        Conn {
            fd,
            owns_fd: false,
            recv: OpSlot::default(),
            received: Received::Nothing,
            fallback: Vec::new(),
            starved: false,
            reset: false,
            more_waiting: true,
            eof: false,
            read_error: None,
            reader: None,
            send: OpSlot::default(),
            sending: Vec::new(),
            sent: 0,
            queued: Vec::new(),
            write_error: None,
            writer: None,
            shutdown_pending: false,
            write_shut: false,
            dropped: false,
        }
    }

    /// Bytes accepted by writes and not yet confirmed sent.
    pub(crate) fn unsent(&self) -> usize {
        self.sending.len() - self.sent + self.queued.len()
    }

    /// Whether an operation is in flight (the `Conn` must stay in the slab).
    pub(crate) fn busy(&self) -> bool {
        self.recv.in_flight || self.send.in_flight
    }
}
